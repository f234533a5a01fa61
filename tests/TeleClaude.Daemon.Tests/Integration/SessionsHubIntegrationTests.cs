using System.Net;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Integration;

/// <summary>The hub over the real daemon's Unix socket, with real SignalR clients.</summary>
[TestFixture]
[CancelAfter(30_000)]
internal sealed class SessionsHubIntegrationTests
{
    private DaemonProcess _daemon = null!;
    private TeleClaudeRestClient _rest = null!;

    [OneTimeSetUp]
    public async Task StartDaemon()
    {
        _daemon = await DaemonProcess.StartAsync("alpha");
        _rest = _daemon.Rest();
    }

    [OneTimeTearDown]
    public async Task StopDaemon()
    {
        _rest.Dispose();
        await _daemon.DisposeAsync();
    }

    private Task<SessionInfo> CreateSessionAsync(string title = "Fix the cache") => _daemon.CreateSessionAsync(title);

    [TestCase(HubProtocolKind.Json)]
    [TestCase(HubProtocolKind.MessagePack)]
    public async Task Subscribe_PushesFullSessionsState_WithExistingSessions(HubProtocolKind protocol)
    {
        var existing = await CreateSessionAsync("Existing " + protocol);
        var (hub, pushes) = await _daemon.ConnectAsync(protocol);

        await hub.Subscribe(Views.Sessions);
        var state = await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));

        Assert.That(state.Sessions, Has.Some.Matches<SessionInfo>(s => s.SessionId == existing.SessionId && s.Title == existing.Title && s.Computer == "alpha"));
        Assert.That(state.Computers, Has.Some.Matches<ComputerInfo>(c => c.Name == "alpha" && c.IsLocal && c.Status == ComputerStatus.Online));
    }

    [TestCase(HubProtocolKind.Json)]
    [TestCase(HubProtocolKind.MessagePack)]
    public async Task Subscribe_PushesFullPreparationState_WithRoadmapTodos(HubProtocolKind protocol)
    {
        var (hub, pushes) = await _daemon.ConnectAsync(protocol);

        await hub.Subscribe(Views.Preparation);
        var state = await pushes.NextAsync<PreparationSnapshot>(nameof(ISessionsClient.PreparationState));

        var project = state.Projects.Single();
        Assert.That(project.Project.Path, Is.EqualTo(_daemon.ProjectPath));
        Assert.That(project.Project.Description, Is.EqualTo("Test project"));
        Assert.That(project.Todos.Select(t => (t.Slug, t.Status)), Is.EqualTo(new[]
        {
            ("cache-push", TodoStatus.InProgress),
            ("telec-tui", TodoStatus.Ready),
            ("mcp-server", TodoStatus.Pending),
        }));
        Assert.That(project.Todos[0].HasRequirements, Is.True);
        Assert.That(project.Todos[0].Description, Is.EqualTo("Cache and push architecture."));
    }

    [TestCase(HubProtocolKind.Json)]
    [TestCase(HubProtocolKind.MessagePack)]
    public async Task SessionLifecycleViaRest_ReachesSubscribedClient_AsTypedPushesInOrder(HubProtocolKind protocol)
    {
        var (hub, pushes) = await _daemon.ConnectAsync(protocol);
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));

        var created = await CreateSessionAsync("Lifecycle " + protocol);
        var pushedCreate = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == created.SessionId);
        Assert.That(pushedCreate, Is.EqualTo(created));

        await _rest.SendInputAsync(created.SessionId, "run the tests; echo $HOME");
        var input = await pushes.NextAsync<InputReceivedInfo>(nameof(ISessionsClient.InputReceived), i => i.Session.SessionId == created.SessionId);
        Assert.That(input.Input, Is.EqualTo("run the tests; echo $HOME"));
        Assert.That(input.Session.LastInput, Is.EqualTo("run the tests; echo $HOME"));

        await _rest.UpdateSessionAsync(created.SessionId, new UpdateSessionRequest(Title: "Renamed", LastOutput: "All green"));
        // The session's own output also produces session_updated pushes (the monitor); wait for the PATCH's.
        var updated = await pushes.NextAsync<SessionInfo>(
            nameof(ISessionsClient.SessionUpdated), s => s.SessionId == created.SessionId && s.LastOutput == "All green");
        Assert.That(updated.Title, Is.EqualTo("Renamed"));

        using var agentStop = await _rest.Http.PostAsJsonAsync($"sessions/{created.SessionId}/agent-events", new AgentStoppedRequest("Done: 12 tests pass"), TeleClaudeRestClient.JsonOptions);
        Assert.That(agentStop.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var agentEvent = await pushes.NextAsync<AgentEventInfo>(
            nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == created.SessionId && e.Summary == "Done: 12 tests pass");
        Assert.That(agentEvent.Session.Status, Is.EqualTo(SessionStatus.Idle));

        await _rest.EndSessionAsync(created.SessionId);
        var ended = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionTerminated), s => s.SessionId == created.SessionId);
        Assert.That(ended.Status, Is.EqualTo(SessionStatus.Terminated));

        // The REST actions' pushes arrive in the order of the actions; the session's own output may add
        // session_updated / agent_event pushes in between.
        var order = pushes.Seen.Where(p => p.Payload switch
        {
            SessionInfo s => s.SessionId == created.SessionId,
            InputReceivedInfo i => i.Session.SessionId == created.SessionId,
            AgentEventInfo a => a.Session.SessionId == created.SessionId,
            _ => false,
        }).Select(p => p.Method).ToList();
        string[] expected =
        [
            nameof(ISessionsClient.SessionCreated), nameof(ISessionsClient.InputReceived), nameof(ISessionsClient.SessionUpdated),
            nameof(ISessionsClient.AgentEvent), nameof(ISessionsClient.SessionTerminated),
        ];
        var at = 0;
        foreach (var method in order)
        {
            at += at < expected.Length && method == expected[at] ? 1 : 0;
        }

        Assert.That(at, Is.EqualTo(expected.Length), "pushes in order: " + string.Join(", ", order));
        Assert.That(order[0], Is.EqualTo(nameof(ISessionsClient.SessionCreated)));
        Assert.That(order[^1], Is.EqualTo(nameof(ISessionsClient.SessionTerminated)));
        Assert.That(await _rest.ListSessionsAsync(), Has.None.Matches<SessionInfo>(s => s.SessionId == created.SessionId), "ended sessions leave the snapshot");
    }

    [Test]
    public async Task SessionPush_DoesNotReachClient_SubscribedOnlyToOtherViewOrNothing()
    {
        var (watcher, watcherPushes) = await _daemon.ConnectAsync();
        await watcher.Subscribe(Views.Sessions);
        await watcherPushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        var (other, otherPushes) = await _daemon.ConnectAsync();
        await other.Subscribe(Views.Preparation);
        await otherPushes.NextAsync<PreparationSnapshot>(nameof(ISessionsClient.PreparationState));
        var (idle, idlePushes) = await _daemon.ConnectAsync(HubProtocolKind.MessagePack);

        var created = await CreateSessionAsync("Only for the sessions view");
        await watcherPushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == created.SessionId);

        // A marker sent after the push: anything pushed to these connections before it has arrived by then.
        await other.Refresh(Views.Preparation);
        await otherPushes.NextAsync<PreparationSnapshot>(nameof(ISessionsClient.PreparationState));
        await idle.Subscribe(Views.Preparation);
        await idlePushes.NextAsync<PreparationSnapshot>(nameof(ISessionsClient.PreparationState));

        Assert.That(otherPushes.Seen.Select(p => p.Method), Has.None.EqualTo(nameof(ISessionsClient.SessionCreated)));
        Assert.That(idlePushes.Seen.Select(p => p.Method), Has.None.EqualTo(nameof(ISessionsClient.SessionCreated)));
    }

    [Test]
    public async Task Unsubscribe_StopsPushes_AndClearsInterest()
    {
        var (hub, pushes) = await _daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        await hub.Unsubscribe(Views.Sessions);

        await CreateSessionAsync("After unsubscribe");
        await hub.Subscribe(Views.Preparation);
        await pushes.NextAsync<PreparationSnapshot>(nameof(ISessionsClient.PreparationState));

        Assert.That(pushes.Seen.Select(p => p.Method), Has.None.EqualTo(nameof(ISessionsClient.SessionCreated)));
    }

    [Test]
    public async Task Disconnect_ClearsInterest_WhenLastSubscriberLeaves()
    {
        await using var daemon = await DaemonProcess.StartAsync("beta");
        using var rest = daemon.Rest();
        var (first, firstPushes) = await daemon.ConnectAsync();
        var (second, secondPushes) = await daemon.ConnectAsync(HubProtocolKind.MessagePack);
        await first.Subscribe(Views.Sessions);
        await first.Subscribe(Views.Preparation);
        await second.Subscribe(Views.Sessions);
        await firstPushes.NextAsync<PreparationSnapshot>(nameof(ISessionsClient.PreparationState));
        await secondPushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));

        var both = await rest.DiagnosticsAsync();
        Assert.That(both.InterestedIn, Is.EqualTo(new[] { Views.Sessions, Views.Preparation }));
        Assert.That(both.Groups[Views.Sessions], Is.EqualTo(2));

        await first.DisposeAsync();
        var afterFirst = await WaitForDiagnosticsAsync(rest, d => d.Groups[Views.Sessions] == 1);
        Assert.That(afterFirst.InterestedIn, Is.EqualTo(new[] { Views.Sessions }));

        await second.DisposeAsync();
        var afterSecond = await WaitForDiagnosticsAsync(rest, d => d.InterestedIn.Count == 0);
        Assert.That(afterSecond.Groups.Values, Is.All.EqualTo(0));
    }

    [Test]
    public async Task Subscribe_UnknownView_FailsWithClearHubException_AndConnectionStaysUsable()
    {
        var (hub, pushes) = await _daemon.ConnectAsync();

        var unknown = Assert.ThrowsAsync<HubException>(() => hub.Subscribe("sesions"));
        Assert.That(unknown!.Message, Does.Contain("Unknown view 'sesions'").And.Contain("sessions, preparation"));
        var missing = Assert.ThrowsAsync<HubException>(() => hub.Refresh(null!));
        Assert.That(missing!.Message, Does.Contain("Unknown view"));
        var badMethod = Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeAsync("DropDatabase"));
        Assert.That(badMethod!.Message, Does.Contain("Method does not exist"));
        var badArgs = Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeAsync(nameof(ISessionsHub.Subscribe), Views.Sessions, "extra"));
        Assert.That(badArgs!.Message, Does.Contain("Invocation provides 2 argument(s) but target expects 1"));
        var badType = Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeAsync(nameof(ISessionsHub.Subscribe), 42));
        Assert.That(badType!.Message, Does.Contain("Error binding arguments"));

        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        Assert.That(hub.Connection.State, Is.EqualTo(HubConnectionState.Connected));
    }

    [Test]
    public async Task OversizedHubMessage_ClosesOnlyThatConnection()
    {
        var (big, _) = await _daemon.ConnectAsync();
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        big.Connection.Closed += e =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };
        var (small, smallPushes) = await _daemon.ConnectAsync();

        _ = big.Connection.InvokeAsync(nameof(ISessionsHub.Subscribe), new string('x', 200_000)).ContinueWith(static _ => { }, TaskScheduler.Default);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await small.Subscribe(Views.Sessions);
        await smallPushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
    }

    [Test]
    public async Task Refresh_PushesFullStateAgain()
    {
        var (hub, pushes) = await _daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        var refreshesBefore = (await _rest.DiagnosticsAsync()).Counters["refreshes"];

        await hub.Refresh(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));

        Assert.That((await _rest.DiagnosticsAsync()).Counters["refreshes"], Is.GreaterThan(refreshesBefore));
    }

    [Test]
    public async Task LongPollingFallback_ReceivesPushes()
    {
        var (hub, pushes) = await _daemon.ConnectAsync(HubProtocolKind.Json, HttpTransportType.LongPolling);
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));

        var created = await CreateSessionAsync("Over long polling");

        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == created.SessionId);
    }

    private static async Task<HubDiagnostics> WaitForDiagnosticsAsync(TeleClaudeRestClient rest, Func<HubDiagnostics, bool> condition)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var diagnostics = await rest.DiagnosticsAsync();
            if (condition(diagnostics))
            {
                return diagnostics;
            }

            await Task.Delay(50);
        }

        Assert.Fail("Diagnostics never reached the expected state within 5 s.");
        return null!;
    }
}
