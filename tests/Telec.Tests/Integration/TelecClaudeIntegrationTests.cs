using System.Diagnostics;
using TeleClaude.Contracts;
using Telec.Tests.Infrastructure;
using static Telec.Tests.Infrastructure.TelecScreen;

namespace Telec.Tests.Integration;

/// <summary>
/// The real telec (native build, in tmux) against the real daemon running the REAL Claude Code CLI, offline against the
/// scripted model server: the user messages the agent from telec, the agent asks permission for a Bash command (Claude's
/// own dialog), telec counts it in the header, shows the question and answers it with y; the tool runs, the agent ends its
/// turn with the scripted message, and t shows the conversation.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TelecClaudeIntegrationTests
{
    private const string Agent = "claudecode";
    private const string Prompt = "please create the marker file";
    private const string LastMessage = "All done: the file is there.";

    [Test]
    [CancelAfter(300_000)]
    public async Task ClaudeSession_AsksPermission_TelecCountsShowsAndApprovesItWithY_ThenIdleWithTheLastMessage_AndTShowsTheTranscript(CancellationToken cancellationToken)
    {
        await using var model = await ScriptedModelServer.StartAsync(
            ScriptedTurn.Bash("touch made-by-claude.txt", "Create the marker file"),
            ScriptedTurn.Say(LastMessage));
        var home = Path.Combine(Directory.CreateTempSubdirectory("tc-claude-").FullName, "home");
        await using var daemon = await DaemonProcess.StartAsync("alpha", ClaudeCli.AgentArgs(Agent, home, model));
        ClaudeCli.CreateHome(home, daemon.ProjectPath);
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);

        var session = await daemon.CreateSessionAsync("Real Claude", agent: Agent);
        await using var terminal = await TmuxTerminal.StartTelecAsync(daemon.SocketPath);
        await terminal.WaitForTextAsync("Real Claude", TimeSpan.FromSeconds(30));
        await terminal.SendKeysAsync("Down");
        await terminal.SendKeysAsync("Down");

        // The live screen of the real CLI, pushed by the daemon (the title carries the capture time of a SessionOutput).
        await terminal.WaitForAsync(
            s => PreviewTitle(s).Contains("Screen · Real Claude · ", StringComparison.Ordinal) && LineWith(s, "Real Claude").Contains("idle", StringComparison.Ordinal),
            "the preview shows Claude's screen and the session is idle (ready for a prompt)",
            TimeSpan.FromSeconds(90));

        // m: the message editor; Enter sends.
        await terminal.SendKeysAsync("m");
        await terminal.WaitForTextAsync("Message to Real Claude on alpha");
        await terminal.SendKeysAsync("-l", Prompt);
        var sent = Stopwatch.StartNew();
        await terminal.SendKeysAsync("Enter");
        // The preview follows the end of the screen: the prompt, or already the tool call it led to.
        await terminal.WaitForAsync(
            s => Preview(s).Contains(Prompt, StringComparison.Ordinal) || Preview(s).Contains("touch made-by-claude.txt", StringComparison.Ordinal),
            "the preview shows Claude's new output",
            TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine($"Enter in the editor → Claude's new output in the preview: {sent.ElapsedMilliseconds} ms");

        // Claude's permission dialog: waiting, counted in the header, the question and its answers in the preview and footer.
        var asking = await terminal.WaitForAsync(
            s => s.Contains("1 needs you", StringComparison.Ordinal) && KeysLine(s).Contains("answer: y/1 Yes", StringComparison.Ordinal),
            "the session waits for permission and its choices are known",
            TimeSpan.FromSeconds(90));
        Assert.Multiple(() =>
        {
            Assert.That(asking, Does.Contain("3 Needs you (1)"));
            Assert.That(LineWith(asking, "Real Claude"), Does.StartWith("│!").And.Contain("waiting"));
            Assert.That(Preview(asking), Does.Contain("! Real Claude waits for you: asks:").And.Contain("touch made-by-claude.txt"));
            Assert.That(KeysLine(asking), Does.Match(@"· n/\d No  m reply"), "every choice once, with the keys that give it: n is Claude's last choice, No");
            Assert.That(KeysLine(asking).Split(" Yes ").Length, Is.EqualTo(2), "\"y/1 Yes\" once, not again as \"1 Yes\"");
            Assert.That(File.Exists(Path.Combine(daemon.ProjectPath, "made-by-claude.txt")), Is.False, "nothing runs before the answer");
        });

        // t while the agent waits: the conversation so far, which then follows the turn as it goes on.
        await terminal.SendKeysAsync("t");
        await terminal.WaitForAsync(
            s => PreviewTitle(s).Contains("Transcript · Real Claude (t: screen)", StringComparison.Ordinal)
                && Preview(s).Contains("you: " + Prompt, StringComparison.Ordinal)
                && Preview(s).Contains("tool: Bash: touch made-by-claude.txt", StringComparison.Ordinal)
                && Preview(s).Contains("! Real Claude waits for you", StringComparison.Ordinal),
            "the transcript shows the prompt and the tool call, under the question",
            TimeSpan.FromSeconds(30));

        // y approves. Claude Code can let a key pressed into a fresh dialog pass on a loaded machine; the daemon then says
        // the session waits again (answers_not_taken) and the user presses y again, as here, at most twice more.
        await ApproveWithYAsync(terminal, daemon);

        var idle = await terminal.WaitForAsync(
            s => LineWith(s, "Real Claude").Contains("idle", StringComparison.Ordinal) && LineWith(s, "Real Claude").Contains("said: " + LastMessage, StringComparison.Ordinal),
            "the session is idle with the scripted last message",
            TimeSpan.FromSeconds(90));
        Assert.Multiple(() =>
        {
            Assert.That(idle, Does.Not.Contain("needs you"));
            Assert.That(File.Exists(Path.Combine(daemon.ProjectPath, "made-by-claude.txt")), Is.True, "the approved tool ran");
        });

        // The transcript followed the turn by itself, including the last message Claude Code may write after its Stop hook.
        var transcript = await terminal.WaitForAsync(
            s => Preview(s).Contains("agent: " + LastMessage, StringComparison.Ordinal),
            "the transcript shows the agent's last message without a key press",
            TimeSpan.FromSeconds(30));
        var text = Preview(transcript);
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("you: " + Prompt).And.Contain("tool: Bash: touch made-by-claude.txt"));
            Assert.That(text.IndexOf("you: " + Prompt, StringComparison.Ordinal), Is.LessThan(text.IndexOf("agent: " + LastMessage, StringComparison.Ordinal)), "in the order of the conversation");
            Assert.That(text, Does.Not.Contain("waits for you"), "the question went with the answer");
        });

        // t again: the live screen, which follows Claude's last repaint (the spinner goes, the message stays above the input box).
        await terminal.SendKeysAsync("t");
        await terminal.WaitForAsync(
            s => PreviewTitle(s).Contains("Screen · Real Claude · ", StringComparison.Ordinal) && Preview(s).Contains(LastMessage, StringComparison.Ordinal),
            "t goes back to the live screen, which shows the agent's last message",
            TimeSpan.FromSeconds(30));

        // What the user saw, in the order the daemon pushed it to every client: waiting, active after the answer, then idle.
        var statuses = pushes.Drain()
            .Select(p => p.Payload switch
            {
                SessionInfo info => info,
                AgentEventInfo stopped => stopped.Session,
                InputReceivedInfo input => input.Session,
                _ => null,
            })
            .Where(s => s?.SessionId == session.SessionId)
            .Select(s => s!.Status)
            .ToList();
        var waitingAt = statuses.IndexOf(SessionStatus.Waiting);
        var activeAt = waitingAt < 0 ? -1 : statuses.FindIndex(waitingAt, s => s == SessionStatus.Active);
        var idleAt = activeAt < 0 ? -1 : statuses.FindIndex(activeAt, s => s == SessionStatus.Idle);
        Assert.That(new[] { waitingAt, activeAt, idleAt }, Has.All.GreaterThanOrEqualTo(0), "waiting, then active after the answer, then idle; pushed: " + string.Join(", ", statuses));
        Assert.That(await terminal.IsRunningAsync(), Is.True);
    }

    private static async Task ApproveWithYAsync(TmuxTerminal terminal, DaemonProcess daemon)
    {
        var notTaken = await daemon.CounterAsync("answers_not_taken");
        for (var attempt = 1; ; attempt++)
        {
            await terminal.SendKeysAsync("y");
            await terminal.WaitForTextAsync("answered \"Yes\" to \"Real Claude\"", TimeSpan.FromSeconds(30));
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                var screen = await terminal.CaptureAsync();
                if (LineWith(screen, "Real Claude").Contains("idle", StringComparison.Ordinal))
                {
                    TestContext.Out.WriteLine($"y pressed {attempt} time(s)");
                    return;
                }

                var now = await daemon.CounterAsync("answers_not_taken");
                if (now > notTaken && KeysLine(screen).Contains("answer: y/1 Yes", StringComparison.Ordinal) && attempt < 3)
                {
                    notTaken = now;
                    break;
                }

                await Task.Delay(100);
            }

            if (deadline.Elapsed >= TimeSpan.FromSeconds(90) || attempt >= 3)
            {
                return;
            }
        }
    }
}
