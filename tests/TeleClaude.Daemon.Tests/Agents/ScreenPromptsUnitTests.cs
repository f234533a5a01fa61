using TeleClaude.Contracts;
using TeleClaude.Daemon.Agents;

namespace TeleClaude.Daemon.Tests.Agents;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class ScreenPromptsUnitTests
{
    // As Claude Code 2.1.328 drew its permission dialog in a 160x45 tmux pane (captured with capture-pane -p).
    private const string ClaudeDialog = """
         ▐▛███▛█   Claude Code v2.1.328
        ❯ please run it
          Say hi
          ⎿  $ touch made-by-tool.txt
        ────────────────────────────────────────────────
         Bash command
         Tip: auto mode handles these prompts for you — choose "switch to auto mode" below
         Say hi
        ╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
         touch made-by-tool.txt
        ╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
         Do you want to proceed?
         ❯ 1. Yes
           2. Yes, and always allow access to /tmp/agents/py/proj from this project
           3. Yes, and switch to auto mode · auto mode handles these prompts for you
           4. No
         Esc to cancel · Tab to amend

        """;

    // As Codex 0.169.0 drew its approval prompt for a command that asked to leave the sandbox, in a 200x50 tmux pane.
    private const string CodexApproval = """
          >_ OpenAI Codex (v0.169.0)
             /tmp/codex/proj

        › please create the marker file

        • Running touch made-by-codex.txt

          Would you like to run the following command?

          Environment: local

          Reason: Create the marker file?

          $ touch made-by-codex.txt

        › 1. Yes, proceed (y)
          2. Yes, and don't ask again for commands that start with `touch made-by-codex.txt` (p)
          3. No, and tell Codex what to do differently (esc)

          Press enter to confirm or esc to cancel

        """;

    private static readonly IReadOnlyList<System.Text.RegularExpressions.Regex> Defaults =
        new AgentIntegrations(Microsoft.Extensions.Options.Options.Create(new TeleClaude.Daemon.Configuration.DaemonOptions())).PromptsOf("any");

    [Test]
    public void Detect_ClaudePermissionDialog_ReadsEveryChoiceWithItsMeaning()
    {
        var prompt = ScreenPrompts.Detect(ClaudeDialog, Defaults);

        Assert.That(prompt, Is.Not.Null);
        Assert.That(prompt!.Text, Does.StartWith("Do you want to proceed?\n").And.Contain("touch made-by-tool.txt"));
        Assert.That(prompt.Choices, Is.EqualTo(new[]
        {
            new AnswerChoice("1", "Yes", AnswerMeanings.Yes),
            new AnswerChoice("2", "Yes, and always allow access to /tmp/agents/py/proj from this project", AnswerMeanings.Always),
            new AnswerChoice("3", "Yes, and switch to auto mode · auto mode handles these prompts for you", AnswerMeanings.Other),
            new AnswerChoice("4", "No", AnswerMeanings.No),
        }));
    }

    [Test]
    public void Detect_CodexApprovalPrompt_ReadsItsChoicesAndTheCommandBelowTheQuestion()
    {
        var prompt = ScreenPrompts.Detect(CodexApproval, Defaults);

        Assert.That(prompt, Is.Not.Null);
        Assert.That(prompt!.Text, Is.EqualTo("Would you like to run the following command?\nEnvironment: local\nReason: Create the marker file?\n$ touch made-by-codex.txt"));
        Assert.That(prompt.Choices, Is.EqualTo(new[]
        {
            new AnswerChoice("1", "Yes, proceed (y)", AnswerMeanings.Yes),
            new AnswerChoice("2", "Yes, and don't ask again for commands that start with `touch made-by-codex.txt` (p)", AnswerMeanings.Always),
            new AnswerChoice("3", "No, and tell Codex what to do differently (esc)", AnswerMeanings.No),
        }));
    }

    [TestCase("Overwrite notes.txt? [y/n] ")]
    [TestCase("Continue (y/n)")]
    [TestCase("Apply patch? [Y/n]:")]
    public void Detect_YesNoLinePrompt_OffersYAndN(string line)
    {
        var prompt = ScreenPrompts.Detect("some output\n" + line, Defaults);

        Assert.That(prompt!.Text, Is.EqualTo(line.Trim()), "a line prompt is its own text");
        Assert.That(prompt!.Choices.Select(c => (c.Key, c.Meaning)), Is.EqualTo(new[] { ("y", AnswerMeanings.Yes), ("n", AnswerMeanings.No) }));
    }

    [Test]
    public void Detect_AnsweredLinePrompt_OrPromptScrolledAway_IsNoPrompt()
    {
        var answered = "Overwrite notes.txt? [y/n] y\nanswered: y";
        var scrolled = "Do you want to proceed?\n" + string.Join('\n', Enumerable.Range(1, ScreenPrompts.LinesConsidered).Select(i => $"line {i}"));

        Assert.That(ScreenPrompts.Detect(answered, Defaults), Is.Null);
        Assert.That(ScreenPrompts.Detect(scrolled, Defaults), Is.Null);
        Assert.That(ScreenPrompts.Detect("", Defaults), Is.Null);
    }

    [TestCase("No, and tell Claude what to do differently (esc)", AnswerMeanings.No)]
    [TestCase("Yes, and don't ask again for ls commands", AnswerMeanings.Always)]
    [TestCase("Allow once", AnswerMeanings.Yes)]
    [TestCase("Nothing", AnswerMeanings.Other)]
    public void MeaningOf_MapsLabels(string label, string meaning) => Assert.That(ScreenPrompts.MeaningOf(label), Is.EqualTo(meaning));
}
