using System.Diagnostics;
using System.Text.Json;
using StackExchange.Redis;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// A peer written only from the README's MUST rows (<c>seed-peer.sh</c>: bash and redis-cli, no PUBLISH, no
/// TeleClaude code) beside a real daemon on a real redis-server, with real hub clients.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
internal sealed class SeedPeerIntegrationTests
{
    private const string PeerSessions = """
        [{"session_id":"z1","title":"Refactor the parser","working_directory":"/home/z/app","status":"active","origin_adapter":"telegram","last_input":"go"},
         {"session_id":"z2","title":"Write docs","status":"thinking"}]
        """;

    private RedisServer _redis = null!;
    private ConnectionMultiplexer _client = null!;
    private SeedPeer _peer = null!;
    private readonly List<DaemonProcess> _daemons = [];

    private static CancellationToken Ct => TestContext.CurrentContext.CancellationToken;

    [SetUp]
    public async Task StartAsync()
    {
        _redis = await RedisServer.StartAsync();
        _client = await _redis.ConnectAsync();
        _peer = SeedPeer.Create(_redis, "zulu");
        _peer.SetSessions(PeerSessions);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _peer.DisposeAsync();
        foreach (var daemon in _daemons)
        {
            await daemon.DisposeAsync();
        }

        await _client.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private async Task<DaemonProcess> StartDaemonAsync(string name, params string[] extra)
    {
        var daemon = await DaemonProcess.StartAsync(name, [$"--TeleClaude:Redis:Configuration={_redis.Configuration}", .. DaemonProcess.FastTransport, .. extra]);
        _daemons.Add(daemon);
        return daemon;
    }

    private static async Task<ComputerInfo?> ComputerAsync(DaemonProcess daemon, string name)
    {
        using var rest = daemon.Rest();
        return (await rest.ListComputersAsync()).SingleOrDefault(c => c.Name == name);
    }

    private static Task WaitOnlineAsync(DaemonProcess daemon, string name) => Eventually.ThatAsync(
        async () => (await ComputerAsync(daemon, name))?.Status == ComputerStatus.Online,
        $"{daemon.Computer} lists {name} online");

    [Test]
    public async Task SeedPeer_SessionsAreInTheFirstState_WithWhatItDidNotSayUnknown()
    {
        var alpha = await StartDaemonAsync("alpha");
        _peer.Start();
        await WaitOnlineAsync(alpha, "zulu");

        var (hub, pushes) = await alpha.ConnectAsync();
        await hub.Subscribe(Views.Sessions).WaitAsync(Ct);
        var state = await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), cancellationToken: Ct);

        var fromPeer = state.Sessions.Where(s => s.Computer == "zulu").OrderBy(s => s.SessionId).ToArray();
        Assert.That(fromPeer, Is.EqualTo(new[]
        {
            new SessionInfo("z1", "zulu", "Refactor the parser", "/home/z/app", SessionStatus.Active, null, null, null, "go", null),
            new SessionInfo("z2", "zulu", "Write docs", null, SessionStatus.Unknown, null, null, null, null, null),
        }));
        Assert.That(_peer.Requests().Where(r => r.Initiator == "alpha").Select(r => r.Command), Does.Contain("list_sessions"));
    }

    [Test]
    public async Task SeedPeer_PartialSessionUpdated_ReachesTheSubscribedClient_MergedOntoWhatItListed()
    {
        var alpha = await StartDaemonAsync("alpha");
        _peer.Start();
        await WaitOnlineAsync(alpha, "zulu");
        var (hub, pushes) = await alpha.ConnectAsync(HubProtocolKind.MessagePack);
        await hub.Subscribe(Views.Sessions).WaitAsync(Ct);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), s => s.Sessions.Any(x => x.SessionId == "z1"), Ct);

        await _peer.EventAsync("alpha", SessionEventNames.SessionUpdated, """{"session_id":"z1","title":"Parser refactored","status":"idle","last_output":"All tests pass"}""", Ct);
        var updated = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionUpdated), s => s.SessionId == "z1", Ct);
        await _peer.EventAsync("alpha", SessionEventNames.SessionTerminated, """{"session_id":"z2"}""", Ct);
        var ended = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionTerminated), s => s.SessionId == "z2", Ct);

        Assert.Multiple(() =>
        {
            Assert.That(updated, Is.EqualTo(new SessionInfo("z1", "zulu", "Parser refactored", "/home/z/app", SessionStatus.Idle, null, null, null, "go", "All tests pass")));
            Assert.That(ended.Status, Is.EqualTo(SessionStatus.Terminated));
            Assert.That(alpha.Get<RedisCounters>().Get(RedisCounters.MalformedEvents), Is.Zero);
        });
    }

    [Test]
    public async Task SeedPeer_RequestsToADaemon_AreAnswered()
    {
        var alpha = await StartDaemonAsync("alpha");
        var session = await alpha.CreateSessionAsync("Answer the seed peer");

        var answer = await _peer.RequestAsync("alpha", "list_sessions", Ct);
        var unknown = await _peer.RequestAsync("alpha", "format_disk", Ct);

        using var doc = JsonDocument.Parse(answer);
        Assert.That(doc.RootElement.GetProperty("status").GetString(), Is.EqualTo("success"));
        Assert.That(doc.RootElement.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("session_id").GetString()), Does.Contain(session.SessionId));
        Assert.That(unknown, Does.Contain("\"status\":\"error\"").And.Contain("Unknown command 'format_disk'"));
    }

    [Test]
    public async Task SeedPeer_ThatOnlyWritesItsKey_IsListedWithinTheScanBound_WhileAClientIsSubscribed_AndGoesOffline()
    {
        // A 30 s heartbeat (the default): without a subscribed client the peer could take that long to be found.
        var alpha = await StartDaemonAsync("alpha", "--TeleClaude:HeartbeatInterval=00:00:30", "--TeleClaude:Redis:PeerScanInterval=00:00:02");
        var (hub, pushes) = await alpha.ConnectAsync();
        await hub.Subscribe(Views.Sessions).WaitAsync(Ct);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), cancellationToken: Ct);

        var clock = Stopwatch.StartNew();
        _peer.Start("heartbeat");
        var online = await pushes.NextAsync<ComputerInfo>(nameof(ISessionsClient.ComputerUpdated), c => c.Name == "zulu", Ct);
        var listedAfter = clock.Elapsed;

        await _peer.StopAsync();
        var offline = await pushes.NextAsync<ComputerInfo>(nameof(ISessionsClient.ComputerOffline), c => c.Name == "zulu", Ct);

        Assert.Multiple(() =>
        {
            Assert.That(online.Status, Is.EqualTo(ComputerStatus.Online));
            Assert.That((online.User, online.Host, online.Stats), Is.EqualTo(((string?)null, (string?)null, (SystemStats?)null)), "a heartbeat without user, host or stats is fine");
            Assert.That(listedAfter, Is.LessThan(TimeSpan.FromSeconds(10)), "listed within the 2 s scan (generous for a loaded machine), far below the 30 s heartbeat");
            Assert.That(offline.Status, Is.EqualTo(ComputerStatus.Offline));
        });
    }

    [Test]
    public async Task SeedPeer_IsListedWithinAHeartbeatInterval_WithoutAnyClient()
    {
        var alpha = await StartDaemonAsync("alpha", "--TeleClaude:HeartbeatInterval=00:00:02");

        _peer.Start("heartbeat");

        await Eventually.ThatAsync(async () => (await ComputerAsync(alpha, "zulu"))?.Status == ComputerStatus.Online, "alpha lists zulu online", TimeSpan.FromSeconds(10));
        Assert.That(alpha.Get<Daemon.Hubs.InterestManager>().InterestedIn, Is.Empty, "no client anywhere");
    }

    [Test]
    public async Task TrimmedStream_WhileTheDaemonWasDown_TriggersARepullOfThePeersSessions()
    {
        var alpha = await StartDaemonAsync("alpha");
        _peer.Start();
        await WaitOnlineAsync(alpha, "zulu");
        var (hub, pushes) = await alpha.ConnectAsync();
        await hub.Subscribe(Views.Sessions).WaitAsync(Ct);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), s => s.Sessions.Any(x => x.SessionId == "z1"), Ct);
        await _peer.EventAsync("alpha", SessionEventNames.SessionUpdated, """{"session_id":"z1","title":"Seen live"}""", Ct);
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionUpdated), s => s.Title == "Seen live", Ct);
        await alpha.StopAsync();

        // While alpha is down: a session starts on zulu (its event is then trimmed away), and z1 changes (kept).
        _peer.SetSessions("""
            [{"session_id":"z1","title":"Changed while alpha was down","working_directory":"/home/z/app","status":"active"},
             {"session_id":"z2","title":"Write docs","status":"thinking"},
             {"session_id":"z3","title":"Started while alpha was down"}]
            """);
        await _peer.EventAsync("alpha", SessionEventNames.NewSession, """{"session_id":"z3","title":"Started while alpha was down"}""", Ct);
        await _peer.EventAsync("alpha", SessionEventNames.SessionUpdated, """{"session_id":"z1","title":"Changed while alpha was down"}""", Ct);
        await _client.GetDatabase().StreamTrimAsync(RedisKeys.SessionEvents("alpha"), 1);
        var requestsBefore = _peer.Requests().Count(r => r.Initiator == "alpha");

        await alpha.StartAsync();

        // No client is subscribed now: only the gap can make alpha pull, and only the pull knows z3.
        await Eventually.ThatAsync(
            async () =>
            {
                using var rest = alpha.Rest();
                var sessions = await rest.ListSessionsAsync();
                return sessions.Any(s => s.SessionId == "z3") && sessions.Any(s => s.SessionId == "z1" && s.Title == "Changed while alpha was down");
            },
            "alpha re-pulled zulu's sessions (z3) and replayed the kept event (z1)");
        Assert.Multiple(() =>
        {
            Assert.That(alpha.Get<RedisCounters>().Get(RedisCounters.StreamGaps), Is.GreaterThanOrEqualTo(1));
            Assert.That(alpha.Get<RedisCounters>().Get(RedisCounters.GapRepulls), Is.GreaterThanOrEqualTo(1));
            Assert.That(_peer.Requests().Count(r => r.Initiator == "alpha" && r.Command == "list_sessions"), Is.GreaterThan(requestsBefore));
        });
    }
}
