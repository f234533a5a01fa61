using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Agents;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Agents;

/// <summary>
/// The hook endpoint with the real hook clients (the curl script the daemon writes and <c>TeleClaude.Daemon hook</c>)
/// and the untrusted input it must refuse: unknown sessions, wrong secrets, garbage and oversized bodies.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
internal sealed class AgentHooksIntegrationTests
{
    private const string PermissionRequest = """
        {"session_id":"abc","transcript_path":"/nonexistent/t.jsonl","cwd":"/tmp","hook_event_name":"PermissionRequest",
         "tool_name":"Bash","tool_input":{"command":"rm -rf build","description":"Clean the build"}}
        """;

    private DaemonProcess _daemon = null!;

    [OneTimeSetUp]
    public async Task StartDaemon() => _daemon = await DaemonProcess.StartAsync("hooks", "--TeleClaude:Hooks:MaxPayloadBytes=4096");

    [OneTimeTearDown]
    public async Task StopDaemon() => await _daemon.DisposeAsync();

    [Test]
    public async Task CurlHookScript_PostsPermissionRequest_SessionWaitsWithToolText_OnSubscribedClient(CancellationToken cancellationToken)
    {
        var (hub, pushes) = await _daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var session = await _daemon.CreateSessionAsync("Hooked by curl");
        var environment = await HookEnvironmentAsync(session.SessionId, cancellationToken);
        var script = Path.Combine(_daemon.Get<AgentLauncher>().Directory, "teleclaude-hook.sh");
        Assert.That(_daemon.Get<AgentLauncher>().HookCommand, Is.EqualTo(new[] { "sh", script }), "curl is on PATH here, so auto picks the script");

        var (exit, output, _) = await ChildProcess.RunAsync("sh", [script, "claude"], PermissionRequest, environment, cancellationToken);

        Assert.That((exit, output), Is.EqualTo((0, "")));
        var waiting = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionUpdated), s => s.SessionId == session.SessionId && s.Status == SessionStatus.Waiting, cancellationToken);
        Assert.That(waiting.Waiting!.Kind, Is.EqualTo(WaitingKinds.Permission));
        Assert.That(waiting.Waiting.Text, Is.EqualTo("Bash: rm -rf build (Clean the build)"));
        Assert.That(waiting.Waiting.Choices, Is.Empty, "choices come from the dialog on screen, never guessed");
        Assert.That(waiting.HasTranscript, Is.True, "the hook named a transcript (an absolute .jsonl path)");

        // That transcript does not exist: reading the conversation says so, and it is counted.
        var missing = await _daemon.CounterAsync("transcript_missing");
        using var rest = _daemon.Rest();
        using var messages = await rest.Http.GetAsync($"sessions/{session.SessionId}/messages", cancellationToken);
        Assert.That(messages.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await messages.Content.ReadAsStringAsync(cancellationToken), Does.Contain("The transcript file '/nonexistent/t.jsonl' does not exist"));
        Assert.That(await _daemon.CounterAsync("transcript_missing"), Is.EqualTo(missing + 1));
    }

    [Test]
    public async Task DotnetHookClient_PostsStop_SessionIdleWithLastMessage(CancellationToken cancellationToken)
    {
        var (hub, pushes) = await _daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var session = await _daemon.CreateSessionAsync("Hooked by dotnet");
        var environment = await HookEnvironmentAsync(session.SessionId, cancellationToken);
        var stop = """{"hook_event_name":"Stop","session_id":"x","last_assistant_message":"Finished the refactor."}""";

        var (exit, _, _) = await ChildProcess.RunAsync("dotnet", [typeof(TeleClaudeDaemon).Assembly.Location, "hook", "claude"], stop, environment, cancellationToken);

        Assert.That(exit, Is.Zero);
        var idle = await pushes.NextAsync<AgentEventInfo>(nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == session.SessionId, cancellationToken);
        Assert.That(idle.Session.Status, Is.EqualTo(SessionStatus.Idle));
        Assert.That(idle.Session.LastMessage, Is.EqualTo("Finished the refactor."));
        Assert.That(idle.Summary, Is.EqualTo("Finished the refactor."));
    }

    [Test]
    public async Task CodexNotify_AsArgument_MakesSessionIdleWithLastMessage(CancellationToken cancellationToken)
    {
        var (hub, pushes) = await _daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var session = await _daemon.CreateSessionAsync("Codex stand-in");
        var environment = await HookEnvironmentAsync(session.SessionId, cancellationToken);
        var script = Path.Combine(_daemon.Get<AgentLauncher>().Directory, "teleclaude-hook.sh");
        var notify = """{"type":"agent-turn-complete","turn-id":"1","input-messages":["fix it"],"last-assistant-message":"Fixed the flaky test."}""";

        // Codex calls its notify program with the JSON as the last argument (not stdin), as configured by `-c notify=[...]`.
        var (exit, output, _) = await ChildProcess.RunAsync("sh", [script, "codex", notify], "", environment, cancellationToken);

        Assert.That(exit, Is.Zero, output);
        var idle = await pushes.NextAsync<AgentEventInfo>(nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == session.SessionId, cancellationToken);
        Assert.That(idle.Session.LastMessage, Is.EqualTo("Fixed the flaky test."));
    }

    [Test]
    public async Task HookClients_WhenTheDaemonIsAway_ExitZeroQuickly(CancellationToken cancellationToken)
    {
        var script = Path.Combine(_daemon.Get<AgentLauncher>().Directory, "teleclaude-hook.sh");
        var away = new Dictionary<string, string>
        {
            [AgentLauncher.SocketVariable] = Path.Combine(_daemon.Directory, "no-such.sock"),
            [AgentLauncher.SessionVariable] = "whatever",
            [AgentLauncher.SecretVariable] = "x",
        };

        var curl = await ChildProcess.RunAsync("sh", [script, "claude"], PermissionRequest, away, cancellationToken);
        var dotnet = await ChildProcess.RunAsync("dotnet", [typeof(TeleClaudeDaemon).Assembly.Location, "hook", "claude"], PermissionRequest, away, cancellationToken);

        Assert.That(curl.ExitCode, Is.Zero, curl.Output);
        Assert.That(dotnet.ExitCode, Is.Zero, dotnet.Output);
        Assert.That(curl.Took, Is.LessThan(TimeSpan.FromSeconds(10)), "the hook gives up, it never hangs the agent");
    }

    [Test]
    public async Task BadHookInput_IsRefusedWithClearProblem_Counted_AndTheSessionAndDaemonGoOn(CancellationToken cancellationToken)
    {
        var session = await _daemon.CreateSessionAsync("Targeted");
        var secret = await Tmux.EnvironmentAsync(_daemon, session.SessionId, AgentLauncher.SecretVariable, cancellationToken);
        var other = await _daemon.CreateSessionAsync("Another session");
        var otherSecret = await Tmux.EnvironmentAsync(_daemon, other.SessionId, AgentLauncher.SecretVariable, cancellationToken);
        var before = await CountersAsync();

        var unknown = await PostAsync("claude", "no-such-session", secret, PermissionRequest, cancellationToken);
        var wrong = await PostAsync("claude", session.SessionId, "not-the-secret", PermissionRequest, cancellationToken);
        var crossed = await PostAsync("claude", session.SessionId, otherSecret, PermissionRequest, cancellationToken);
        var missing = await PostAsync("claude", session.SessionId, null, PermissionRequest, cancellationToken);
        var garbage = await PostAsync("claude", session.SessionId, secret, "{{{ not json", cancellationToken);
        var notHook = await PostAsync("claude", session.SessionId, secret, """{"hello":"world"}""", cancellationToken);
        var array = await PostAsync("claude", session.SessionId, secret, "[1,2,3]", cancellationToken);
        var oversized = await PostAsync("claude", session.SessionId, secret, "{\"hook_event_name\":\"Stop\",\"pad\":\"" + new string('x', 8000) + "\"}", cancellationToken);
        var integration = await PostAsync("nonesuch", session.SessionId, secret, PermissionRequest, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(unknown, Is.EqualTo((HttpStatusCode.NotFound, true)), "unknown session");
            Assert.That(wrong, Is.EqualTo((HttpStatusCode.Forbidden, true)), "wrong secret");
            Assert.That(crossed, Is.EqualTo((HttpStatusCode.Forbidden, true)), "another session's secret");
            Assert.That(missing, Is.EqualTo((HttpStatusCode.Forbidden, true)), "no secret");
            Assert.That(garbage, Is.EqualTo((HttpStatusCode.BadRequest, true)), "garbage");
            Assert.That(notHook, Is.EqualTo((HttpStatusCode.BadRequest, true)), "JSON that is no hook payload");
            Assert.That(array, Is.EqualTo((HttpStatusCode.BadRequest, true)), "a JSON array");
            Assert.That(oversized, Is.EqualTo((HttpStatusCode.RequestEntityTooLarge, true)), "oversized");
            Assert.That(integration, Is.EqualTo((HttpStatusCode.NotFound, true)), "unknown integration");
        });

        var after = await CountersAsync();
        Assert.Multiple(() =>
        {
            Assert.That(after["hook_rejected_unknown_session"] - before["hook_rejected_unknown_session"], Is.EqualTo(1));
            Assert.That(after["hook_rejected_secret"] - before["hook_rejected_secret"], Is.EqualTo(3));
            Assert.That(after["hook_rejected_malformed"] - before["hook_rejected_malformed"], Is.EqualTo(4));
            Assert.That(after["hook_rejected_oversized"] - before["hook_rejected_oversized"], Is.EqualTo(1));
            Assert.That(after["hook_events"] - before["hook_events"], Is.Zero);
        });

        using var rest = _daemon.Rest();
        var unchanged = await rest.Http.GetFromJsonAsync<SessionInfo>($"sessions/{session.SessionId}", TeleClaude.Client.TeleClaudeRestClient.JsonOptions, cancellationToken);
        Assert.That(unchanged!.Status, Is.Not.EqualTo(SessionStatus.Waiting), "no refused call changed the session");
        await rest.SendInputAsync(session.SessionId, "still fine", cancellationToken);
        await Eventually.ThatAsync(
            async () => ((await rest.Http.GetFromJsonAsync<SessionInfo>($"sessions/{session.SessionId}", TeleClaude.Client.TeleClaudeRestClient.JsonOptions, cancellationToken))!.LastOutput ?? "")
                .Contains("agent got: still fine", StringComparison.Ordinal),
            "the agent still answers");
    }

    private async Task<Dictionary<string, string>> HookEnvironmentAsync(string sessionId, CancellationToken cancellationToken) => new()
    {
        [AgentLauncher.SocketVariable] = await Tmux.EnvironmentAsync(_daemon, sessionId, AgentLauncher.SocketVariable, cancellationToken),
        [AgentLauncher.SessionVariable] = await Tmux.EnvironmentAsync(_daemon, sessionId, AgentLauncher.SessionVariable, cancellationToken),
        [AgentLauncher.SecretVariable] = await Tmux.EnvironmentAsync(_daemon, sessionId, AgentLauncher.SecretVariable, cancellationToken),
    };

    /// <summary>Posts a hook call; answers its status and whether the problem has a detail.</summary>
    private async Task<(HttpStatusCode, bool)> PostAsync(string integration, string sessionId, string? secret, string body, CancellationToken cancellationToken)
    {
        using var rest = _daemon.Rest();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"hooks/{integration}") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(HooksApi.SessionHeader, sessionId);
        if (secret is not null)
        {
            request.Headers.Add(HooksApi.SecretHeader, secret);
        }

        using var response = await rest.Http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return (response.StatusCode, text.Contains("\"detail\"", StringComparison.Ordinal) && !text.Contains("   at ", StringComparison.Ordinal));
    }

    private async Task<IReadOnlyDictionary<string, long>> CountersAsync()
    {
        using var rest = _daemon.Rest();
        return (await rest.DiagnosticsAsync()).Counters;
    }
}
