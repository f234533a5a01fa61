using TeleClaude.Contracts;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Agents;

/// <summary>
/// Input to an agent whose interface swallows an Enter (Claude Code can, when the text and the Enter arrive together
/// on a loaded machine): a real daemon and tmux, and an agent that behaves so and reports the prompts it takes through
/// the daemon's real hook client, as Claude Code's hooks do.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
internal sealed class PromptSubmitIntegrationTests
{
    /// <summary>Swallows the first Enter it ever gets; reports each line it takes (and an empty one) with two hooks.</summary>
    private const string SwallowingAgent = """
        hook() { printf '%s' "$1" | eval "$TELECLAUDE_HOOK claude"; }
        hook '{"hook_event_name":"SessionStart"}'
        swallowed=0 line=''
        printf '> '
        while IFS= read -r -s -n1 c; do
          if [ -n "$c" ]; then line="$line$c"; printf '%s' "$c"; continue; fi
          if [ $swallowed -eq 0 ]; then swallowed=1; continue; fi
          printf '\n'
          hook "{\"hook_event_name\":\"UserPromptSubmit\",\"prompt\":\"$line\"}"
          hook "{\"hook_event_name\":\"Stop\",\"last_assistant_message\":\"took: $line\"}"
          line=''
          printf '> '
        done
        """;

    private static readonly TimeSpan CheckAfter = TimeSpan.FromSeconds(5);

    [Test]
    public async Task InputWhoseEnterWasSwallowed_IsSubmittedAgain_AndTakenInputIsNot(CancellationToken cancellationToken)
    {
        var script = Path.Combine(Directory.CreateTempSubdirectory("tc-swallow-").FullName, "agent.sh");
        await File.WriteAllTextAsync(script, SwallowingAgent, cancellationToken);
        // A hook timeout and a check time well above the machine's worst moments: a start hook given up on would leave the
        // agent without hooks, and a prompt hook slower than the check would (rightly) get one more Enter.
        await using var daemon = await DaemonProcess.StartAsync(
            "swallow", "--TeleClaude:Hooks:Timeout=00:00:20", $"--TeleClaude:Sessions:SubmitCheckAfter={CheckAfter}",
            "--TeleClaude:Agents:tui:Integration=claude", "--TeleClaude:Agents:tui:Command:0=bash", $"--TeleClaude:Agents:tui:Command:1={script}");
        using var rest = daemon.Rest();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var session = await daemon.CreateSessionAsync("Swallows an Enter", agent: "tui");
        await Eventually.ThatAsync(
            async () => await daemon.CounterAsync("hook_events") >= 1 && (await rest.GetSessionAsync(session.SessionId, cancellationToken)).Status == SessionStatus.Idle,
            "the agent reported its start and is idle", TimeSpan.FromSeconds(60));

        await rest.SendInputAsync(session.SessionId, "hello there", cancellationToken);
        var first = await TookAsync(pushes, session.SessionId, cancellationToken);
        Assert.That(first.Summary, Is.EqualTo("took: hello there"), "the line was still in the input box, and Enter was pressed again");
        Assert.That(await daemon.CounterAsync("inputs_resubmitted"), Is.EqualTo(1));

        await rest.SendInputAsync(session.SessionId, "second line", cancellationToken);
        var second = await TookAsync(pushes, session.SessionId, cancellationToken);
        Assert.That(second.Summary, Is.EqualTo("took: second line"));

        // Taken at once: its hook came and ended the wait for it (both inputs confirmed, the second without a check of
        // the screen), so no second Enter follows (the agent would report it as an empty line).
        Assert.That(await daemon.CounterAsync("inputs_confirmed"), Is.EqualTo(2));
        Assert.That(await daemon.CounterAsync("inputs_resubmitted"), Is.EqualTo(1));
        Assert.That(pushes.Drain().Select(p => p.Payload).OfType<AgentEventInfo>().Select(e => e.Summary), Has.None.EqualTo("took: "));
    }

    /// <summary>The next turn the agent reports (its Stop hook: "took: ..."), with the patience a loaded machine needs.</summary>
    private static Task<AgentEventInfo> TookAsync(RecordingClient pushes, string sessionId, CancellationToken cancellationToken) =>
        AgentPushes.WithinAsync(pushes, () => pushes.NextAsync<AgentEventInfo>(
            nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == sessionId && e.Summary.StartsWith("took:", StringComparison.Ordinal), cancellationToken));
}
