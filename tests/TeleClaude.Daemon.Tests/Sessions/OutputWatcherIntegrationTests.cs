using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Sessions;

/// <summary>
/// Output pushed by tmux (one control-mode client, no polling) with real tmux sessions running the stand-in agent:
/// watchers, the screen heuristic for agents without hooks, and a control client that dies.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
internal sealed class OutputWatcherIntegrationTests
{
    [Test]
    public async Task Watch_PushesScreenAtOnce_AndAfterEachChange_UntilUnwatch(CancellationToken cancellationToken)
    {
        await using var daemon = await DaemonProcess.StartAsync("watcher");
        using var rest = daemon.Rest();
        var session = await daemon.CreateSessionAsync("Watched");
        await WaitForOutputAsync(rest, session.SessionId, "test agent ready", cancellationToken);
        var (hub, pushes) = await daemon.ConnectAsync();

        await hub.Watch(session.SessionId);
        var first = await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.SessionId == session.SessionId, cancellationToken);
        Assert.That(first.Screen, Does.Contain("test agent ready"));
        Assert.That(first.Computer, Is.EqualTo("watcher"));

        await rest.SendInputAsync(session.SessionId, "first change", cancellationToken);
        var changed = await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.Screen.Contains("agent got: first change", StringComparison.Ordinal), cancellationToken);
        Assert.That(changed.CapturedAt, Is.GreaterThanOrEqualTo(first.CapturedAt));

        await hub.Unwatch(session.SessionId);
        await rest.SendInputAsync(session.SessionId, "after unwatch", cancellationToken);
        await WaitForOutputAsync(rest, session.SessionId, "agent got: after unwatch", cancellationToken);
        var (other, otherPushes) = await daemon.ConnectAsync();
        await other.Watch(session.SessionId);
        await otherPushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.Screen.Contains("after unwatch", StringComparison.Ordinal), cancellationToken);
        Assert.That(pushes.Drain().Where(p => p.Method == nameof(ISessionsClient.SessionOutput)), Is.Empty, "no screen after Unwatch");
        Assert.That(await daemon.CounterAsync("output_watchers"), Is.EqualTo(1));
    }

    [Test]
    public async Task Watch_UnknownOrEndedSession_FailsWithClearHubException(CancellationToken cancellationToken)
    {
        await using var daemon = await DaemonProcess.StartAsync("watchbad");
        var (hub, _) = await daemon.ConnectAsync();
        var session = await daemon.CreateSessionAsync("Soon ended");
        using var rest = daemon.Rest();
        await rest.EndSessionAsync(session.SessionId, cancellationToken);

        var unknown = Assert.ThrowsAsync<HubException>(() => hub.Watch("no-such-session"));
        var ended = Assert.ThrowsAsync<HubException>(() => hub.Watch(session.SessionId));

        Assert.That(unknown!.Message, Does.Contain("No session 'no-such-session'"));
        Assert.That(ended!.Message, Does.Contain("has ended"));
    }

    [Test]
    public async Task RemoteSession_WithoutRedis_WatchAnswerAndMessages_SayTheComputerCannotBeReached(CancellationToken cancellationToken)
    {
        // A session another computer reported, on a daemon without Redis (local-only mode): nothing can reach it, and
        // every route says so. (With Redis they work: Redis/RemoteSessionsIntegrationTests.)
        await using var daemon = await DaemonProcess.StartAsync("seams");
        var remote = new SessionInfo("remote-1", "elsewhere", "Far away", "/p", SessionStatus.Waiting, "claude", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, null,
            new WaitingInfo(WaitingKinds.Permission, "Bash: ls", DateTimeOffset.UtcNow, [new AnswerChoice("1", "Yes", AnswerMeanings.Yes)]));
        daemon.Get<TeleClaude.Daemon.Caching.DaemonCache>().ApplyRemoteSessionEvent(SessionEventNames.NewSession, remote);
        var (hub, _) = await daemon.ConnectAsync();
        using var rest = daemon.Rest();

        var watch = Assert.ThrowsAsync<HubException>(() => hub.Watch("remote-1"));
        using var answer = await rest.Http.PostAsJsonAsync("sessions/remote-1/answer", new AnswerRequest("1"), TeleClaudeRestClient.JsonOptions, cancellationToken);
        using var messages = await rest.Http.GetAsync("sessions/remote-1/messages", cancellationToken);

        Assert.That(watch!.Message, Does.Contain("Cannot watch session 'remote-1' on elsewhere").And.Contain("No Redis is configured"));
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await answer.Content.ReadAsStringAsync(cancellationToken), Does.Contain("No Redis is configured: computer 'elsewhere' cannot be reached"));
        Assert.That(messages.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await messages.Content.ReadAsStringAsync(cancellationToken), Does.Contain("computer 'elsewhere' cannot be reached"));
        Assert.That(await daemon.CounterAsync("output_watchers"), Is.Zero, "the failed watch left no watcher behind");
    }

    [Test]
    public async Task AgentWithoutHooks_YesNoPrompt_IsWaiting_AnswerTypesKeyAndEnter_ThenActiveAndIdle(CancellationToken cancellationToken)
    {
        await using var daemon = await DaemonProcess.StartAsync("prompts");
        using var rest = daemon.Rest();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var session = await daemon.CreateSessionAsync("Asks first");
        await WaitForOutputAsync(rest, session.SessionId, "test agent ready", cancellationToken);

        await rest.SendInputAsync(session.SessionId, "ask", cancellationToken);
        var waiting = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionUpdated), s => s.SessionId == session.SessionId && s.Status == SessionStatus.Waiting, cancellationToken);
        Assert.That(waiting.Waiting!.Kind, Is.EqualTo(WaitingKinds.Question));
        Assert.That(waiting.Waiting.Text, Is.EqualTo("Overwrite notes.txt? [y/n]"));
        Assert.That(waiting.Waiting.Choices, Is.EqualTo(new[] { new AnswerChoice("y", "Yes", AnswerMeanings.Yes), new AnswerChoice("n", "No", AnswerMeanings.No) }));

        using var answer = await rest.Http.PostAsJsonAsync($"sessions/{session.SessionId}/answer", new AnswerRequest("y"), TeleClaudeRestClient.JsonOptions, cancellationToken);
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), await answer.Content.ReadAsStringAsync(cancellationToken));
        var answered = JsonSerializer.Deserialize<SessionInfo>(await answer.Content.ReadAsStringAsync(cancellationToken), TeleClaudeRestClient.JsonOptions)!;
        Assert.That(answered.Status, Is.EqualTo(SessionStatus.Active));

        await WaitForOutputAsync(rest, session.SessionId, "answered: y", cancellationToken);
        var idle = await pushes.NextAsync<AgentEventInfo>(nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == session.SessionId, cancellationToken);
        Assert.That(idle.Session.Status, Is.EqualTo(SessionStatus.Idle));
        Assert.That(idle.Summary, Does.Contain("answered: y"));

        var messages = await rest.Http.GetFromJsonAsync<SessionMessages>($"sessions/{session.SessionId}/messages", TeleClaudeRestClient.JsonOptions, cancellationToken);
        Assert.That(messages!.Source, Is.EqualTo("screen"), "no transcript: the screen is the fallback");
        Assert.That(messages.Messages.Single().Text, Does.Contain("answered: y"));
    }

    [Test]
    public async Task ControlClientKilled_IsRestarted_AndWhatHappenedMeanwhileIsNotMissed(CancellationToken cancellationToken)
    {
        await using var daemon = await DaemonProcess.StartAsync("restarts-control");
        using var rest = daemon.Rest();
        var survivor = await daemon.CreateSessionAsync("Keeps running");
        var doomed = await daemon.CreateSessionAsync("Ends while nobody follows");
        await WaitForOutputAsync(rest, survivor.SessionId, "test agent ready", cancellationToken);
        await WaitForOutputAsync(rest, doomed.SessionId, "test agent ready", cancellationToken);
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await hub.Watch(survivor.SessionId);
        await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), cancellationToken: cancellationToken);
        var starts = await daemon.CounterAsync("tmux_control_starts");

        // Kill the control client, then change things before it can be back: output, and an agent that exits.
        var (_, clients) = await Tmux.RunAsync(daemon.TmuxSocketName, cancellationToken, "list-clients", "-F", "#{client_pid} #{client_control_mode}");
        var controlPid = int.Parse(clients.Split('\n').Single(l => l.EndsWith(" 1", StringComparison.Ordinal)).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        System.Diagnostics.Process.GetProcessById(controlPid).Kill();
        await Tmux.RunAsync(daemon.TmuxSocketName, cancellationToken, "send-keys", "-t", "tc-" + survivor.SessionId, "-l", "typed while the client was dead");
        await Tmux.RunAsync(daemon.TmuxSocketName, cancellationToken, "send-keys", "-t", "tc-" + survivor.SessionId, "Enter");
        await Tmux.RunAsync(daemon.TmuxSocketName, cancellationToken, "kill-window", "-t", "tc-" + doomed.SessionId + ":");

        await Eventually.ThatAsync(async () => await daemon.CounterAsync("tmux_control_starts") > starts, "the control client was started again");
        await pushes.SeenOrNextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.Screen.Contains("agent got: typed while the client was dead", StringComparison.Ordinal), cancellationToken);
        await pushes.SeenOrNextAsync<SessionInfo>(nameof(ISessionsClient.SessionTerminated), s => s.SessionId == doomed.SessionId, cancellationToken);
        Assert.That(await daemon.CounterAsync("tmux_control_failures"), Is.GreaterThanOrEqualTo(1));

        // Following resumed: a later change is pushed too, and the agents' windows kept their size.
        await rest.SendInputAsync(survivor.SessionId, "after the restart", cancellationToken);
        await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.Screen.Contains("agent got: after the restart", StringComparison.Ordinal), cancellationToken);
        var (_, size) = await Tmux.RunAsync(daemon.TmuxSocketName, cancellationToken, "display-message", "-p", "-t", "tc-" + survivor.SessionId, "#{window_width}x#{window_height}");
        Assert.That(size, Is.EqualTo("200x50"), "the control client never resizes an agent's window");
    }

    [Test]
    public async Task WatchSession_KeepsItsPlaceholder_SoTheControlClientStaysAttached_WithNoSessionLeft(CancellationToken cancellationToken)
    {
        // Regression: the re-sync once took the watch session's own placeholder window for an orphan and killed it; with
        // no session left the watch session died with it, and the control client was restarted over and over.
        await using var daemon = await DaemonProcess.StartAsync("placeholder");
        await Eventually.ThatAsync(async () => await daemon.CounterAsync("tmux_control_starts") == 1, "the control client is attached");
        var session = await daemon.CreateSessionAsync("Comes and goes");
        using var rest = daemon.Rest();
        await WaitForOutputAsync(rest, session.SessionId, "test agent ready", cancellationToken);
        await rest.EndSessionAsync(session.SessionId, cancellationToken);

        // Observe what the re-syncs after both %sessions-changed left behind.
        await Eventually.ThatAsync(
            async () => (await Tmux.RunAsync(daemon.TmuxSocketName, cancellationToken, "list-windows", "-t", "=teleclaude-watch", "-F", "#{window_name}")).Output == "_watch",
            "the watch session holds only its placeholder window");
        var (_, clients) = await Tmux.RunAsync(daemon.TmuxSocketName, cancellationToken, "list-clients", "-F", "#{client_control_mode} #{session_name}");
        Assert.That(clients, Is.EqualTo("1 teleclaude-watch"), "one control client, still attached");
        Assert.That(await daemon.CounterAsync("tmux_control_failures"), Is.Zero);
        Assert.That(await daemon.CounterAsync("tmux_control_starts"), Is.EqualTo(1));
        var (_, status) = await Tmux.RunAsync(daemon.TmuxSocketName, cancellationToken, "show-options", "-t", "teleclaude-watch", "-v", "status");
        Assert.That(status, Is.EqualTo("off"), "no status line to format for a watch session nobody sees");
    }

    [Test]
    public async Task AgentExits_SessionTerminatedFromTmuxNotification(CancellationToken cancellationToken)
    {
        await using var daemon = await DaemonProcess.StartAsync("exits");
        using var rest = daemon.Rest();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var session = await daemon.CreateSessionAsync("Exits by itself");
        await WaitForOutputAsync(rest, session.SessionId, "test agent ready", cancellationToken);
        var captures = await daemon.CounterAsync("pane_captures");

        // The stand-in ends when its stdin closes: Ctrl-D at its prompt.
        await Tmux.RunAsync(daemon.TmuxSocketName, cancellationToken, "send-keys", "-t", "tc-" + session.SessionId, "C-d");

        var ended = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionTerminated), s => s.SessionId == session.SessionId, cancellationToken);
        Assert.That(ended.Status, Is.EqualTo(SessionStatus.Terminated));
        Assert.That(await daemon.CounterAsync("pane_captures") - captures, Is.LessThanOrEqualTo(2), "an ending pane is not polled");
    }

    [Test]
    public async Task WatchedSession_ScreensFlowAtTheWatchPace_ItsLastOutputAtTheOutputPace_AndTheNewestFollows(CancellationToken cancellationToken)
    {
        // A ticker prints every 20 ms; the output pace is 1 s (the default), the watch pace 50 ms.
        await using var daemon = await DaemonProcess.StartAsync(
            "paced",
            "--TeleClaude:Sessions:OutputInterval=00:00:01",
            "--TeleClaude:Agents:ticker:Command:0=sh", "--TeleClaude:Agents:ticker:Command:1=-c",
            "--TeleClaude:Agents:ticker:Command:2=i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); echo tick $i; sleep 0.02; done");
        using var rest = daemon.Rest();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var ticker = await daemon.CreateSessionAsync("Ticker", agent: "ticker");
        await WaitForOutputAsync(rest, ticker.SessionId, "tick", cancellationToken);

        await hub.Watch(ticker.SessionId);
        await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.SessionId == ticker.SessionId, cancellationToken);
        pushes.Drain();
        var started = DateTime.UtcNow;
        while (pushes.Seen.Count(p => p.Payload is SessionOutput) < 40)
        {
            await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.SessionId == ticker.SessionId, cancellationToken);
        }

        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        var updates = pushes.Seen.Select(p => p.Payload).OfType<SessionInfo>().Count(s => s.SessionId == ticker.SessionId);
        Assert.That(updates, Is.LessThanOrEqualTo(Math.Ceiling(seconds) + 2), $"40 screens in {seconds:F1} s: last_output is recorded and published once a second, not with every screen");
        Assert.That(updates, Is.GreaterThanOrEqualTo(1), "the output still moves while watched");

        // The stand-in prints once and stops: the newest output arrives although no screen follows it.
        var echo = await daemon.CreateSessionAsync("Quiet after one line");
        await WaitForOutputAsync(rest, echo.SessionId, "test agent ready", cancellationToken);
        await hub.Watch(echo.SessionId);
        await rest.SendInputAsync(echo.SessionId, "first", cancellationToken);
        await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.Screen.Contains("agent got: first", StringComparison.Ordinal), cancellationToken);
        await rest.SendInputAsync(echo.SessionId, "second", cancellationToken);
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionUpdated), s => s.SessionId == echo.SessionId && (s.LastOutput ?? "").Contains("agent got: second", StringComparison.Ordinal), cancellationToken);
        await WaitForOutputAsync(rest, echo.SessionId, "agent got: second", cancellationToken);
    }

    private static async Task WaitForOutputAsync(TeleClaudeRestClient rest, string sessionId, string text, CancellationToken cancellationToken) =>
        await Eventually.ThatAsync(
            async () => ((await rest.Http.GetFromJsonAsync<SessionInfo>($"sessions/{sessionId}", TeleClaudeRestClient.JsonOptions, cancellationToken))?.LastOutput ?? "")
                .Contains(text, StringComparison.Ordinal),
            $"session output shows '{text}'");
}
