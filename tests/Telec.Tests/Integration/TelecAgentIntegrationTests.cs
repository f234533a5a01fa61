using System.Diagnostics;
using TeleClaude.Contracts;
using Telec.Tests.Infrastructure;
using static Telec.Tests.Infrastructure.TelecScreen;

namespace Telec.Tests.Integration;

/// <summary>
/// The real telec (native build, in tmux) against the real daemon's agent state, with the stand-in agent: it echoes each
/// line and, on "ask", asks "Overwrite notes.txt? [y/n]", a prompt the daemon recognises on screen (the session turns
/// waiting with the choices y and n). The live preview, the needs-you count, view and jump, and answering with one key.
/// The real Claude Code CLI does the same in <see cref="TelecClaudeIntegrationTests"/>.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TelecAgentIntegrationTests : LocalDaemonTelecTests
{
    [Test]
    [CancelAfter(60_000)]
    public async Task Preview_ShowsTheSelectedSessionsLiveScreen_AndItsNewOutput_ThroughSessionOutput()
    {
        var session = await Daemon.CreateSessionAsync("Echo session");
        var terminal = await StartAsync();
        await TelecSteps.SelectOnlySessionAsync(terminal, session);

        // Watched: the daemon pushes the screen (SessionOutput) and the pane's title carries its capture time.
        var first = await terminal.WaitForAsync(
            s => PreviewTitle(s).Contains("Screen · Echo session · ", StringComparison.Ordinal) && Preview(s).Contains("test agent ready", StringComparison.Ordinal),
            "the preview shows the session's live screen");
        Assert.That(await Daemon.CounterAsync("output_watchers"), Is.EqualTo(1), "telec watches the one session it previews");
        var pushesBefore = await Daemon.CounterAsync("output_pushes");

        var probe = "probe-" + Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        using (var rest = Daemon.Rest())
        {
            await rest.SendInputAsync(session.SessionId, probe);
        }

        var screen = await terminal.WaitForAsync(s => Preview(s).Contains("agent got: " + probe, StringComparison.Ordinal), "the preview shows the agent's answer");
        TestContext.Out.WriteLine($"input → agent's output in the preview: {clock.ElapsedMilliseconds} ms (goal < 1 s: docs/benchmarks.md, watch → preview)");
        var pushesAfter = await Daemon.CounterAsync("output_pushes");
        Assert.Multiple(() =>
        {
            Assert.That(pushesAfter, Is.GreaterThan(pushesBefore), "the new screen came as a SessionOutput push");
            Assert.That(PreviewTitle(screen), Does.Contain("Screen · Echo session · "));
            Assert.That(first, Does.Not.Contain(probe));
        });

        // Moving away unwatches it: the daemon keeps no watcher for a session nobody previews.
        await terminal.SendKeysAsync("Up");
        await terminal.WaitForAsync(s => PreviewTitle(s).Contains("┤Preview├", StringComparison.Ordinal), "the preview has no session");
        await Eventually.ThatAsync(async () => await Daemon.CounterAsync("output_watchers") == 0, "the daemon dropped the watcher");
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task WaitingSessions_AreCountedInTheHeader_WJumpsToTheLongestWaiting_ViewThreeListsThemOldestFirst_AndYAnswers()
    {
        await Daemon.CreateSessionAsync("Busy one");
        var asksSecond = await Daemon.CreateSessionAsync("Created first, asks second");
        var asksFirst = await Daemon.CreateSessionAsync("Created second, asks first");
        var terminal = await StartAsync();
        await terminal.WaitForTextAsync("Created second, asks first");

        // Real waiting, recognised by the daemon on the agent's screen: the one created second asks first.
        await AskAsync(asksFirst);
        await AskAsync(asksSecond);

        await terminal.WaitForAsync(
            s => s.Contains("2 need you", StringComparison.Ordinal) && s.Contains("3 Needs you (2)", StringComparison.Ordinal),
            "the header counts both waiting sessions");
        var tree = await terminal.CaptureAsync();
        Assert.Multiple(() =>
        {
            Assert.That(LineWith(tree, "asks first"), Does.StartWith("│!").And.Contain("waiting").And.Contain("asks: Overwrite notes.txt? [y/n]  [y Yes · n No]"));
            Assert.That(LineWith(tree, "asks second"), Does.StartWith("│!"));
            Assert.That(LineWith(tree, "Busy one"), Does.Not.StartWith("│!"));
        });

        // w: the session waiting longest, though it is not the first waiting one in the tree.
        await terminal.SendKeysAsync("w");
        var jumped = await terminal.WaitForAsync(
            s => Preview(s).Contains("! Created second, asks first waits for you: asks: Overwrite notes.txt? [y/n]", StringComparison.Ordinal),
            "w selects the session waiting longest and the preview shows its question");
        Assert.Multiple(() =>
        {
            // Regression: the answers were listed twice ("y Yes · n No · y Yes · n No").
            Assert.That(KeysLine(jumped), Does.Contain("answer: y Yes · n No  m reply"));
            Assert.That(jumped, Does.Not.Contain("n No · y Yes"));
            Assert.That(Preview(jumped), Does.Not.Contain("answer:"), "the keys are listed once, below the pane");
        });

        await terminal.SendKeysAsync("3");
        var needsYou = await terminal.WaitForTextAsync("[3 Needs you (2)]");
        Assert.Multiple(() =>
        {
            Assert.That(needsYou, Does.Not.Contain("Busy one"), "the needs-you view lists only waiting sessions");
            Assert.That(IndexOfLineWith(needsYou, "asks first"), Is.GreaterThan(0).And.LessThan(IndexOfLineWith(needsYou, "asks second")), "oldest first");
        });

        // y on the first row (the one waiting longest) answers it: the daemon types y and Enter, the agent goes on.
        await terminal.SendKeysAsync("y");
        await terminal.WaitForTextAsync("answered \"Yes\" to \"Created second, asks first\"");
        var answered = await terminal.WaitForAsync(
            s => s.Contains("3 Needs you (1)", StringComparison.Ordinal) && s.Contains("1 needs you", StringComparison.Ordinal) && !LineWith(s, "│!alpha").Contains("asks first", StringComparison.Ordinal),
            "the answered session leaves the needs-you view");
        Assert.That(answered, Does.Contain("Created first, asks second"));
        using var rest = Daemon.Rest();
        await Eventually.ThatAsync(
            async () => (await rest.GetSessionAsync(asksFirst.SessionId)).LastOutput?.Contains("answered: y", StringComparison.Ordinal) == true,
            "the agent read the answer y");
        Assert.That(await terminal.IsRunningAsync(), Is.True);
    }

    private async Task AskAsync(SessionInfo session)
    {
        using var rest = Daemon.Rest();
        await rest.SendInputAsync(session.SessionId, "ask");
        await Eventually.ThatAsync(
            async () => (await rest.GetSessionAsync(session.SessionId)) is { Status: SessionStatus.Waiting, Waiting.Choices.Count: 2 },
            $"\"{session.Title}\" waits with its choices",
            TimeSpan.FromSeconds(30));
    }
}
