using TeleClaude.Contracts;
using Telec.Model;

namespace Telec.Tests.Unit;

[TestFixture]
public sealed class AnswerKeysUnitTests
{
    private static readonly WaitingInfo ClaudeDialog = Waiting(
        new AnswerChoice("1", "Yes", AnswerMeanings.Yes),
        new AnswerChoice("2", "Yes, and don't ask again", AnswerMeanings.Always),
        new AnswerChoice("3", "No", AnswerMeanings.No));

    private static readonly WaitingInfo LinePrompt = Waiting(
        new AnswerChoice("y", "Yes", AnswerMeanings.Yes),
        new AnswerChoice("n", "No", AnswerMeanings.No));

    [Test]
    public void Hint_ListsEachChoiceOnce_ForAYesNoLinePrompt()
    {
        // Regression: the footer said "answer: y Yes · n No · y Yes · n No" (the y/n aliases, then every choice again).
        Assert.That(AnswerKeys.Hint(LinePrompt), Is.EqualTo("answer: y Yes · n No"));
    }

    [Test]
    public void Hint_ListsEachChoiceOnce_WithTheAliasesThatReachIt_ForANumberedDialog() =>
        Assert.That(AnswerKeys.Hint(ClaudeDialog), Is.EqualTo("answer: y/1 Yes · 2 Yes, and don't ask again · n/3 No"));

    [Test]
    public void Hint_ShowsOnlyTheKeysThatResolveToTheChoice()
    {
        // The agent's own y means "no" here: pressing y sends its own key, so y is no alias of the "Allow" choice.
        var own = Waiting(new AnswerChoice("a", "Allow", AnswerMeanings.Yes), new AnswerChoice("y", "No thanks", AnswerMeanings.No));

        Assert.Multiple(() =>
        {
            Assert.That(AnswerKeys.Hint(own), Is.EqualTo("answer: a Allow · y/n No thanks"));
            Assert.That(AnswerKeys.Resolve(own, 'y'), Is.EqualTo("y"));
            Assert.That(AnswerKeys.Resolve(own, 'n'), Is.EqualTo("y"));
            Assert.That(AnswerKeys.Resolve(own, 'a'), Is.EqualTo("a"));
        });
    }

    [Test]
    public void Hint_MarksAChoiceNoSingleKeyReaches_AsOneForTheEditor()
    {
        var many = Waiting(
            new AnswerChoice("1", "Yes", AnswerMeanings.Yes),
            new AnswerChoice("10", "Something else", AnswerMeanings.Other));

        Assert.That(AnswerKeys.Hint(many), Is.EqualTo("answer: y/1 Yes · 10 Something else (m)"));
    }

    [Test]
    public void Hint_EveryChoiceAppearsExactlyOnce_WhateverTheShape()
    {
        foreach (var waiting in new[] { ClaudeDialog, LinePrompt })
        {
            var hint = AnswerKeys.Hint(waiting);
            foreach (var choice in waiting.Choices)
            {
                var parts = hint["answer: ".Length..].Split(" · ");
                Assert.That(parts.Count(p => p.EndsWith(" " + choice.Label, StringComparison.Ordinal)), Is.EqualTo(1), $"{choice.Label} in \"{hint}\"");
            }
        }
    }

    private static WaitingInfo Waiting(params AnswerChoice[] choices) =>
        new(WaitingKinds.Question, "Proceed?", DateTimeOffset.UnixEpoch, choices);
}
