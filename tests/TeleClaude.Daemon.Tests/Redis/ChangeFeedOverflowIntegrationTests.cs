using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Storage;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// The session event emitter reads the bounded change feed like the hub does: when it falls a whole queue behind it
/// gets one "changes dropped" marker, and must then send peers the current state instead of going on as if nothing
/// was missed. Two real daemons on a real redis-server; the emitter's queue is made one change long.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
internal sealed class ChangeFeedOverflowIntegrationTests
{
    [Test]
    public async Task EmitterFallingBehind_SendsPeersTheCurrentState_InsteadOfLosingChanges(CancellationToken cancellationToken)
    {
        await using var redis = await RedisServer.StartAsync().WaitAsync(cancellationToken);
        await using var observer = await DaemonProcess.StartWithRedisAsync(redis, "observer").WaitAsync(cancellationToken);
        await using var owner = await DaemonProcess.StartAsync("owner", [.. RedisArgs(redis), "--TeleClaude:Cache:ChangeFeedCapacity=1"]).WaitAsync(cancellationToken);
        var (hub, pushes) = await observer.ConnectAsync().WaitAsync(cancellationToken);
        await hub.Subscribe(Views.Sessions).WaitAsync(cancellationToken);
        await Eventually.ThatAsync(() => OwnerSeesObserverInterestedAsync(owner), "the owner sees the observer's interest in sessions");

        // A session record with no terminal behind it: nothing but this test changes it, so the only way the observer
        // can learn the title written below (to the store, never published) is the emitter's resync from the store.
        var now = DateTimeOffset.UtcNow;
        var session = new SessionInfo("overflow-1", owner.Computer, "first", owner.ProjectPath, SessionStatus.Active, "claude", now, now, null, null);
        var store = owner.Get<SessionStore>();
        var cache = owner.Get<DaemonCache>();
        await store.InsertAsync(session, cancellationToken);
        cache.PublishLocalSession(SessionEventNames.NewSession, session);
        await Eventually.ThatAsync(() => Task.FromResult(LatestTitle(pushes, session.SessionId) == "first"), "the observer's client sees the session");

        await store.UpdateAsync(session.SessionId, s => s with { Title = "current, from the store" }, cancellationToken);
        for (var i = 0; i < 3_000; i++)
        {
            cache.PublishLocalSession(SessionEventNames.SessionUpdated, session with { Title = $"burst {i}" });
        }

        await Eventually.ThatAsync(
            () => Task.FromResult(LatestTitle(pushes, session.SessionId) == "current, from the store"),
            "the observer's client ends on the owner's current state",
            TimeSpan.FromSeconds(30));
        Assert.That(owner.Logs.WithEventId(532), Is.Not.Empty, "the emitter said it resynced");
    }

    [Test]
    public async Task WarmupFallingBehind_PullsTheViewsOfInterestAgain_FromEveryOnlinePeer(CancellationToken cancellationToken)
    {
        await using var redis = await RedisServer.StartAsync().WaitAsync(cancellationToken);
        await using var owner = await DaemonProcess.StartWithRedisAsync(redis, "owner").WaitAsync(cancellationToken);
        await using var observer = await DaemonProcess.StartAsync("observer", [.. RedisArgs(redis), "--TeleClaude:Cache:ChangeFeedCapacity=1"]).WaitAsync(cancellationToken);
        var (hub, _) = await observer.ConnectAsync().WaitAsync(cancellationToken);
        await hub.Subscribe(Views.Sessions).WaitAsync(cancellationToken);
        var cache = observer.Get<DaemonCache>();
        await Eventually.ThatAsync(() => Task.FromResult(cache.OnlineRemoteComputers().Contains("owner")), "the observer sees the owner online");
        var pullsBefore = cache.RefreshCount;

        // Changes the warm-up cannot keep up with (a replay after an outage looks like this): among those it skips
        // could be a peer coming online, whose sessions it would then never pull.
        var now = DateTimeOffset.UtcNow;
        var remote = new SessionInfo("r-1", "owner", "burst", null, SessionStatus.Active, null, now, now, null, null);
        for (var i = 0; i < 3_000; i++)
        {
            cache.ApplyRemoteSessionEvent(SessionEventNames.SessionUpdated, remote with { Title = $"burst {i}" });
        }

        await Eventually.ThatAsync(() => Task.FromResult(observer.Logs.WithEventId(112).Count > 0), "the warm-up says it pulls the sessions view again");
        await Eventually.ThatAsync(() => Task.FromResult(cache.RefreshCount > pullsBefore), "a pull from the owner ran");
    }

    private static string[] RedisArgs(RedisServer redis) =>
        [$"--TeleClaude:Redis:Configuration={redis.Configuration}", .. DaemonProcess.FastTransport];

    private static Task<bool> OwnerSeesObserverInterestedAsync(DaemonProcess owner) =>
        Task.FromResult(owner.Get<Daemon.Redis.PeerDirectory>().InterestedPeers(Views.Sessions).Contains("observer"));

    private readonly Dictionary<string, string?> _titles = new(StringComparer.Ordinal);

    /// <summary>The title the observer's client shows now: the last of its full states and updates, in order.</summary>
    private string? LatestTitle(RecordingClient pushes, string sessionId)
    {
        foreach (var push in pushes.Drain())
        {
            var title = push.Payload switch
            {
                SessionsSnapshot state => state.Sessions.SingleOrDefault(s => s.SessionId == sessionId)?.Title,
                SessionInfo s when s.SessionId == sessionId => s.Title,
                AgentEventInfo e when e.Session.SessionId == sessionId => e.Session.Title,
                InputReceivedInfo e when e.Session.SessionId == sessionId => e.Session.Title,
                _ => _titles.GetValueOrDefault(sessionId),
            };
            _titles[sessionId] = title;
        }

        return _titles.GetValueOrDefault(sessionId);
    }
}
