using System.Net;
using System.Text.RegularExpressions;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Sessions;

/// <summary>Sessions that really run: tmux sessions with the stand-in agent script, driven through REST and watched through the hub.</summary>
[TestFixture]
[CancelAfter(60_000)]
internal sealed class SessionRunnerIntegrationTests
{
    [Test]
    public async Task Session_RunsAgent_TakesLiteralInput_GoesIdle_AndEnds()
    {
        await using var daemon = await DaemonProcess.StartAsync("runner");
        using var rest = daemon.Rest();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));

        var created = await daemon.CreateSessionAsync("Real agent");
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == created.SessionId);
        var ready = await pushes.NextAsync<SessionInfo>(
            nameof(ISessionsClient.SessionUpdated), s => s.SessionId == created.SessionId && (s.LastOutput ?? "").Contains("test agent ready", StringComparison.Ordinal));
        Assert.That(ready.LastOutput, Does.Contain("test agent ready in " + daemon.ProjectPath), "the agent runs in the project directory");
        Assert.That(ready.Status, Is.EqualTo(SessionStatus.Active));

        const string text = "hello; touch /tmp/pwned $(id) `id` | cat && exit";
        await rest.SendInputAsync(created.SessionId, text);
        await pushes.NextAsync<InputReceivedInfo>(nameof(ISessionsClient.InputReceived), i => i.Session.SessionId == created.SessionId && i.Input == text);
        var answered = await pushes.NextAsync<SessionInfo>(
            nameof(ISessionsClient.SessionUpdated), s => s.SessionId == created.SessionId && (s.LastOutput ?? "").Contains("agent got: " + text, StringComparison.Ordinal));
        Assert.That(answered.LastInput, Is.EqualTo(text), "input reaches the agent literally, not through a shell");

        var idle = await pushes.NextAsync<AgentEventInfo>(nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == created.SessionId);
        Assert.That(idle.Session.Status, Is.EqualTo(SessionStatus.Idle));
        Assert.That(idle.Summary, Does.Contain("agent got: " + text));

        await rest.EndSessionAsync(created.SessionId);
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionTerminated), s => s.SessionId == created.SessionId);
        Assert.That(File.Exists("/tmp/pwned"), Is.False);
        Assert.That(await TmuxHasSessionAsync(daemon, created.SessionId), Is.False, "ending kills the tmux session");
    }

    [Test]
    public async Task MultiLineInput_GoesInAsOnePaste_ALineAgentGetsEachLine_Literally(CancellationToken cancellationToken)
    {
        await using var daemon = await DaemonProcess.StartAsync("paster");
        using var rest = daemon.Rest();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var created = await daemon.CreateSessionAsync("Pasted to");
        await pushes.NextAsync<SessionInfo>(
            nameof(ISessionsClient.SessionUpdated), s => s.SessionId == created.SessionId && (s.LastOutput ?? "").Contains("test agent ready", StringComparison.Ordinal), cancellationToken);

        const string text = "first; touch /tmp/pwned-paste\r\nsecond $(id) `id`\n";
        await rest.SendInputAsync(created.SessionId, text, cancellationToken);

        var idle = await pushes.NextAsync<AgentEventInfo>(nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == created.SessionId, cancellationToken);
        // The terminal's echo of the paste and the agent's answers interleave; each answer runs to its line's end.
        var got = Regex.Matches(idle.Summary, "agent got: ([^\n]*)").Select(m => m.Groups[1].Value);
        Assert.That(got, Is.EqualTo(new[] { "first; touch /tmp/pwned-paste", "second $(id) `id`" }), "each line once; a trailing newline is not one more Enter");
        Assert.That(File.Exists("/tmp/pwned-paste"), Is.False);
        var (_, buffers, _) = await ChildProcess.RunAsync("tmux", ["-L", daemon.TmuxSocketName, "list-buffers"], "", new Dictionary<string, string>(), cancellationToken);
        Assert.That(buffers, Is.Empty, "the paste buffer is deleted by the paste");
    }

    [Test]
    public async Task DaemonRestart_KeepsRunningSession_Usable()
    {
        await using var daemon = await DaemonProcess.StartAsync("restarts");
        var created = await daemon.CreateSessionAsync("Outlives its daemon");
        await WaitForOutputAsync(daemon, created.SessionId, "test agent ready");

        await daemon.StopAsync();
        await daemon.StartAsync();

        using var rest = daemon.Rest();
        var listed = (await rest.ListSessionsAsync()).Single(s => s.SessionId == created.SessionId);
        Assert.That(listed.Status, Is.Not.EqualTo(SessionStatus.Terminated));
        await rest.SendInputAsync(created.SessionId, "still there?");
        await WaitForOutputAsync(daemon, created.SessionId, "agent got: still there?");
    }

    [Test]
    public async Task Restart_AfterTmuxSessionsVanished_MarksThemTerminated_WithEvent()
    {
        await using var daemon = await DaemonProcess.StartAsync("reconcile");
        var created = await daemon.CreateSessionAsync("Will vanish");
        await WaitForOutputAsync(daemon, created.SessionId, "test agent ready");
        await daemon.StopAsync();
        daemon.KillTmuxServer();

        await daemon.StartAsync();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);

        await Eventually.ThatAsync(
            async () =>
            {
                using var rest = daemon.Rest();
                return (await rest.ListSessionsAsync()).All(s => s.SessionId != created.SessionId);
            },
            "the vanished session left the list");
        using var check = daemon.Rest();
        Assert.That((await check.Http.GetFromJsonAsync<SessionInfo>($"sessions/{created.SessionId}", TeleClaudeRestClient.JsonOptions))!.Status, Is.EqualTo(SessionStatus.Terminated));
    }

    [Test]
    public async Task UnknownAgent_Is400_ListingConfiguredAgents()
    {
        await using var daemon = await DaemonProcess.StartAsync("agents");
        using var rest = daemon.Rest();

        var error = Assert.ThrowsAsync<TeleClaudeApiException>(() => rest.CreateSessionAsync(new CreateSessionRequest(daemon.ProjectPath, "Who?", "nonesuch")));

        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(error.Body, Does.Contain("'nonesuch' is not configured").And.Contain("claude, codex, gemini"));
    }

    private static async Task WaitForOutputAsync(DaemonProcess daemon, string sessionId, string text) =>
        await Eventually.ThatAsync(
            async () =>
            {
                using var rest = daemon.Rest();
                var session = await rest.Http.GetFromJsonAsync<SessionInfo>($"sessions/{sessionId}", TeleClaudeRestClient.JsonOptions);
                return (session?.LastOutput ?? "").Contains(text, StringComparison.Ordinal);
            },
            $"session output shows '{text}'");

    private static async Task<bool> TmuxHasSessionAsync(DaemonProcess daemon, string sessionId)
    {
        var start = new System.Diagnostics.ProcessStartInfo("tmux") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-L", daemon.TmuxSocketName, "has-session", "-t", "tc-" + sessionId })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }
}
