using Microsoft.Extensions.Logging;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Hubs;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Hubs;

/// <summary>
/// What can grow is bounded: pushes waiting per client and for all clients together, the change feed's queues, and the
/// pushes still queued at shutdown. A client that falls behind is dropped (it resubscribes and gets the full state); the
/// others get every push, in order.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
internal sealed class PushBoundsIntegrationTests
{
    private const string Prefix = "rate-";

    [Test]
    public async Task StalledClient_AtHighRate_IsDropped_WhilePushesInFlightStayBounded_AndAGoodClientGetsEveryPush()
    {
        var token = TestContext.CurrentContext.CancellationToken;
        const int PerClient = 500;
        const int Events = 2_500;
        using var logs = new LogRecorder();
        await using var daemon = await DaemonProcess.StartAsync("pushy", b => b.Logging.AddProvider(logs), $"--TeleClaude:Pushes:MaxQueuedPerClient={PerClient}").WaitAsync(token);
        var session = await daemon.CreateSessionAsync("Busy").WaitAsync(token);
        var (good, pushes) = await daemon.ConnectAsync(HubProtocolKind.MessagePack).WaitAsync(token);
        await good.Subscribe(Views.Sessions).WaitAsync(token);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), cancellationToken: token);
        await using var stalled = await StalledHubClient.ConnectAsync(daemon.SocketPath, Views.Sessions, token);
        using var rest = daemon.Rest();
        await Eventually.ThatAsync(async () => (await rest.DiagnosticsAsync(token)).Groups[Views.Sessions] == 2, "both clients subscribed");

        // 500 changes a second, 2 KB each, for 5 s: the stalled client's socket buffers fill within a fraction of a second.
        await PublishPacedAsync(daemon, session, Events, perSecond: 500, new string('x', 2_000), token);

        var received = await ReceivedInOrderAsync(pushes, Events, token);
        Assert.That(received, Is.EqualTo(Enumerable.Range(0, Events)), "the good client got every push, in order");
        var counters = (await rest.DiagnosticsAsync(token)).Counters;
        Assert.That(counters["clients_dropped"], Is.EqualTo(1), "the stalled client was dropped, the good one was not");
        Assert.That(counters["pushes_in_flight_max"], Is.LessThanOrEqualTo(2 * PerClient), "pushes waiting never passed the bounds");
        var dropped = logs.Of(typeof(PushLifetimeManager), 220);
        Assert.That(dropped, Has.Count.EqualTo(1));
        Assert.That(dropped[0].Message, Does.Contain("MaxQueuedPerClient").And.Contain("reconnects, resubscribes and gets the full state"));
        await Eventually.ThatAsync(async () => (await rest.DiagnosticsAsync(token)).Groups[Views.Sessions] == 1, "the stalled connection is gone");
        await Eventually.ThatAsync(async () => (await rest.DiagnosticsAsync(token)).Counters["pushes_in_flight"] == 0, "nothing left waiting");
    }

    [Test]
    public async Task AllClientsTogether_PastTheTotalBound_TheOneFurthestBehindIsDropped()
    {
        var token = TestContext.CurrentContext.CancellationToken;
        using var logs = new LogRecorder();
        await using var daemon = await DaemonProcess.StartAsync(
            "crowd", b => b.Logging.AddProvider(logs), "--TeleClaude:Pushes:MaxQueuedPerClient=400", "--TeleClaude:Pushes:MaxQueued=500").WaitAsync(token);
        var session = await daemon.CreateSessionAsync("Crowded").WaitAsync(token);
        await using var first = await StalledHubClient.ConnectAsync(daemon.SocketPath, Views.Sessions, token);
        await using var second = await StalledHubClient.ConnectAsync(daemon.SocketPath, Views.Sessions, token);
        using var rest = daemon.Rest();
        await Eventually.ThatAsync(async () => (await rest.DiagnosticsAsync(token)).Groups[Views.Sessions] == 2, "both clients subscribed");

        await PublishPacedAsync(daemon, session, 2_000, perSecond: 1_000, new string('y', 4_000), token);

        await Eventually.ThatAsync(async () => (await rest.DiagnosticsAsync(token)).Counters["clients_dropped"] == 2, "both stalled clients dropped");
        var dropped = logs.Of(typeof(PushLifetimeManager), 220);
        Assert.That(dropped[0].Message, Does.Contain("all clients together had 500 pushes waiting"));
        Assert.That((await rest.DiagnosticsAsync(token)).Counters["pushes_in_flight_max"], Is.LessThanOrEqualTo(500 + 2), "the total bound held (plus at most one write under way per client)");
    }

    [Test]
    public async Task Shutdown_WithAStalledClient_EndsWithinABound_AndNothingIsLeftInFlight()
    {
        var token = TestContext.CurrentContext.CancellationToken;
        var daemon = await DaemonProcess.StartAsync("stopper", "--TeleClaude:Pushes:ShutdownDrainTimeout=00:00:01").WaitAsync(token);
        try
        {
            // A session with no terminal behind it: a real one would add pushes of its own (its output, its idle
            // event) at moments the test does not control, and the count below must be exactly the test's 300.
            var now = DateTimeOffset.UtcNow;
            var session = new SessionInfo("queued-at-shutdown", daemon.Computer, "Queued at shutdown", daemon.ProjectPath, SessionStatus.Active, "claude", now, now, null, null);
            await using var stalled = await StalledHubClient.ConnectAsync(daemon.SocketPath, Views.Sessions, token);
            using (var rest = daemon.Rest())
            {
                await Eventually.ThatAsync(async () => (await rest.DiagnosticsAsync(token)).Groups[Views.Sessions] == 1, "subscribed");
            }

            var cache = daemon.Get<DaemonCache>();
            var counters = daemon.Get<HubCounters>();
            var big = new string('z', 30_000);
            for (var i = 0; i < 300; i++)
            {
                cache.PublishLocalSession(SessionEventNames.SessionUpdated, session with { Title = $"queued {i}", LastOutput = big });
            }

            await Eventually.ThatAsync(() => Task.FromResult(counters.InFlight > 100), "pushes pile up for the stalled client");

            await daemon.StopAsync().WaitAsync(TimeSpan.FromSeconds(20), token);

            var after = counters.Snapshot(0);
            Assert.That(after["pushes_in_flight"], Is.Zero, "nothing is left in flight after shutdown");
            Assert.That(after["pushes_written"] + after["pushes_discarded"], Is.EqualTo(300), "every push is accounted for: written or discarded");
        }
        finally
        {
            await daemon.DisposeAsync().AsTask().WaitAsync(token);
        }
    }

    [Test]
    public async Task ChangeFeedOverflow_SendsSubscribedClientsTheFullState_SoNoChangeIsLostSilently()
    {
        var token = TestContext.CurrentContext.CancellationToken;
        await using var daemon = await DaemonProcess.StartAsync("overflow", "--TeleClaude:Cache:ChangeFeedCapacity=1").WaitAsync(token);
        var (client, pushes) = await daemon.ConnectAsync().WaitAsync(token);
        await client.Subscribe(Views.Sessions).WaitAsync(token);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), cancellationToken: token);
        var cache = daemon.Get<DaemonCache>();
        var now = DateTimeOffset.UtcNow;
        var remote = new SessionInfo("r-1", "peer", "Replayed", "/p", SessionStatus.Active, "claude", now, now, null, null);
        cache.ApplyRemoteSessionEvent(SessionEventNames.NewSession, remote);

        // A burst of remote events applied back to back, as a replay after an outage does: the push loop cannot take each
        // one before the next arrives in its queue of one.
        for (var i = 0; i < 3_000; i++)
        {
            cache.ApplyRemoteSessionEvent(SessionEventNames.SessionUpdated, remote with { Title = $"burst {i}" });
        }

        cache.ApplyRemoteSessionEvent(SessionEventNames.SessionUpdated, remote with { Title = "last" });

        using var rest = daemon.Rest();
        await Eventually.ThatAsync(async () => (await rest.DiagnosticsAsync(token)).Counters["resyncs"] >= 1, "the push loop resynced after skipping changes");
        // What the client shows: full states replace everything, updates change one session; it must end on the last change.
        string? title = null;
        await Eventually.ThatAsync(
            () =>
            {
                foreach (var push in pushes.Drain())
                {
                    title = push.Payload switch
                    {
                        SessionsSnapshot state => state.Sessions.SingleOrDefault(s => s.SessionId == remote.SessionId)?.Title,
                        SessionInfo session when session.SessionId == remote.SessionId => session.Title,
                        _ => title,
                    };
                }

                return Task.FromResult(title == "last");
            },
            "the client shows the last change");
        Assert.That(pushes.Seen.Count(p => p.Method == nameof(ISessionsClient.SessionsState)), Is.GreaterThanOrEqualTo(2), "a full state came after the subscribe's");
    }

    private static async Task PublishPacedAsync(DaemonProcess daemon, SessionInfo session, int count, int perSecond, string payload, CancellationToken cancellationToken)
    {
        var cache = daemon.Get<DaemonCache>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / perSecond);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }

            cache.PublishLocalSession(SessionEventNames.SessionUpdated, session with { Title = Prefix + i, LastOutput = payload });
        }
    }

    /// <summary>The indexes of the paced updates the client received, in arrival order, once all have arrived.</summary>
    private static async Task<List<int>> ReceivedInOrderAsync(RecordingClient pushes, int count, CancellationToken cancellationToken)
    {
        var received = new List<int>();
        await Eventually.ThatAsync(
            () =>
            {
                received.AddRange(pushes.Drain()
                    .Select(p => p.Payload)
                    .OfType<SessionInfo>()
                    .Where(s => s.Title is not null && s.Title.StartsWith(Prefix, StringComparison.Ordinal))
                    .Select(s => int.Parse(s.Title![Prefix.Length..], System.Globalization.CultureInfo.InvariantCulture)));
                return Task.FromResult(received.Count >= count || cancellationToken.IsCancellationRequested);
            },
            $"{count} pushes arrive",
            TimeSpan.FromSeconds(30));
        return received;
    }
}
