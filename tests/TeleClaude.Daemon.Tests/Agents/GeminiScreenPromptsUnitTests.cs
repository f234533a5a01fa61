using TeleClaude.Contracts;
using TeleClaude.Daemon.Agents;

namespace TeleClaude.Daemon.Tests.Agents;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class GeminiScreenPromptsUnitTests
{
    // As Gemini CLI 0.61.0 drew its shell-tool confirmation in a 120x40 tmux pane (captured with capture-pane -p).
    private const string GeminiDialog = """
         > please create the marker file


        ╭──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╮
        │ ? Shell  touch made-by-gemini.txt                                                                                    │
        │ ╭──────────────────────────────────────────────────────────────────────────────────────────────────────────────────╮ │
        │ │ touch made-by-gemini.txt                                                                                         │ │
        │ ╰──────────────────────────────────────────────────────────────────────────────────────────────────────────────────╯ │
        │ Allow execution of [Shell]?                                                                                          │
        │                                                                                                                      │
        │ ● 1. Allow once                                                                                                      │
        │   2. Allow for this session                                                                                          │
        │   3. No, suggest changes (esc)                                                                                       │
        ╰──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────╯

        """;

    private static readonly IReadOnlyList<System.Text.RegularExpressions.Regex> Defaults =
        new AgentIntegrations(Microsoft.Extensions.Options.Options.Create(new TeleClaude.Daemon.Configuration.DaemonOptions())).PromptsOf("any");

    [Test]
    public void Detect_GeminiShellConfirmation_ReadsItsChoicesAndTheCommand()
    {
        var prompt = ScreenPrompts.Detect(GeminiDialog, Defaults);

        Assert.That(prompt, Is.Not.Null);
        Assert.That(prompt!.Text, Is.EqualTo("Allow execution of [Shell]?\n? Shell  touch made-by-gemini.txt\ntouch made-by-gemini.txt"));
        Assert.That(prompt.Choices, Is.EqualTo(new[]
        {
            new AnswerChoice("1", "Allow once", AnswerMeanings.Yes),
            new AnswerChoice("2", "Allow for this session", AnswerMeanings.Always),
            new AnswerChoice("3", "No, suggest changes (esc)", AnswerMeanings.No),
        }));
    }

    [Test]
    public void Detect_GeminiEditConfirmation_IsAPrompt()
    {
        var screen = """
            │ Apply this change?                      │
            │                                         │
            │ ● 1. Allow once                         │
            │   2. Allow for this session             │
            │   3. Modify with external editor        │
            │   4. No, suggest changes (esc)          │
            ╰─────────────────────────────────────────╯
            """;

        var prompt = ScreenPrompts.Detect(screen, Defaults);

        Assert.That(prompt!.Choices.Select(c => (c.Key, c.Meaning)), Is.EqualTo(new[]
        {
            ("1", AnswerMeanings.Yes), ("2", AnswerMeanings.Always), ("3", AnswerMeanings.Other), ("4", AnswerMeanings.No),
        }));
    }

    [TestCase("Allow for all future sessions", AnswerMeanings.Always)]
    [TestCase("Allow this command for all future sessions", AnswerMeanings.Always)]
    [TestCase("Allow for this file in all future sessions", AnswerMeanings.Always)]
    public void MeaningOf_GeminiLabels(string label, string meaning) => Assert.That(ScreenPrompts.MeaningOf(label), Is.EqualTo(meaning));
}
