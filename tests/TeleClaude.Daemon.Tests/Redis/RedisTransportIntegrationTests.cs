using StackExchange.Redis;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// Three real daemons (A, B, C: own sockets, own databases) on one real redis-server, with real SignalR
/// clients: heartbeats with interest, pulls at subscribe, pushed events, offline detection, replay, bad entries.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
internal sealed class RedisTransportIntegrationTests
{
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _client = null!;
    private readonly List<DaemonProcess> _daemons = [];

    [SetUp]
    public async Task StartRedis()
    {
        _redis = await RedisServer.StartAsync();
        _client = await _redis.ConnectAsync();
    }

    [TearDown]
    public async Task StopEverything()
    {
        foreach (var daemon in _daemons)
        {
            await daemon.DisposeAsync();
        }

        _daemons.Clear();
        await _client.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private async Task<DaemonProcess> StartDaemonAsync(string name)
    {
        var daemon = await DaemonProcess.StartWithRedisAsync(_redis, name);
        _daemons.Add(daemon);
        return daemon;
    }

    private async Task<(DaemonProcess A, DaemonProcess B, DaemonProcess C)> StartThreeAsync()
    {
        var a = await StartDaemonAsync("alpha");
        var b = await StartDaemonAsync("bravo");
        var c = await StartDaemonAsync("charlie");
        foreach (var daemon in new[] { a, b, c })
        {
            await Eventually.ThatAsync(
                async () => (await ComputersAsync(daemon)).Count(x => x.Status == ComputerStatus.Online) == 3,
                $"{daemon.Computer} sees all three computers online");
        }

        return (a, b, c);
    }

    private static async Task<IReadOnlyList<ComputerInfo>> ComputersAsync(DaemonProcess daemon)
    {
        using var rest = daemon.Rest();
        return await rest.ListComputersAsync();
    }

    private static Task WaitForInterestAsync(DaemonProcess observer, string peer, bool interested) =>
        Eventually.ThatAsync(
            () => Task.FromResult(observer.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains(peer) == interested),
            $"{observer.Computer} sees {peer} {(interested ? "interested" : "not interested")} in sessions");

    [Test]
    public async Task Subscribe_OnA_GetsSessionsOfBAndC_InFullState()
    {
        var (a, b, c) = await StartThreeAsync();
        var onB = await b.CreateSessionAsync("Running on bravo");
        var onC = await c.CreateSessionAsync("Running on charlie");

        var (hub, pushes) = await a.ConnectAsync(HubProtocolKind.MessagePack);
        await hub.Subscribe(Views.Sessions);
        var state = await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));

        Assert.That(state.Sessions.Select(s => (s.Computer, s.SessionId)), Is.SupersetOf(new[] { ("bravo", onB.SessionId), ("charlie", onC.SessionId) }));
        Assert.That(state.Computers.Select(x => x.Name), Is.EqualTo(new[] { "alpha", "bravo", "charlie" }));
    }

    [Test]
    public async Task SessionChangesOnB_ArePushedToClientOnA_AndStopWhenTheClientCloses()
    {
        var (a, b, c) = await StartThreeAsync();
        var (hub, pushes) = await a.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        await WaitForInterestAsync(b, "alpha", interested: true);

        var created = await b.CreateSessionAsync("Pushed from bravo");
        var pushed = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == created.SessionId);
        using (var restB = b.Rest())
        {
            await restB.SendInputAsync(created.SessionId, "hello from the test");
        }

        var input = await pushes.NextAsync<InputReceivedInfo>(nameof(ISessionsClient.InputReceived), i => i.Session.SessionId == created.SessionId);
        Assert.That(pushed, Is.EqualTo(created));
        Assert.That(input.Input, Is.EqualTo("hello from the test"));

        // Close A's only client: A's heartbeat drops its interest at once and B stops sending to A.
        await hub.DisposeAsync();
        await WaitForInterestAsync(b, "alpha", interested: false);
        var (watcherOnC, cPushes) = await c.ConnectAsync();
        await watcherOnC.Subscribe(Views.Sessions);
        await cPushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        await WaitForInterestAsync(b, "charlie", interested: true);
        var db = _client.GetDatabase();
        var lengthBefore = await db.StreamLengthAsync(RedisKeys.SessionEvents("alpha"));

        var unseen = await b.CreateSessionAsync("Nobody on alpha watches");
        await cPushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == unseen.SessionId);

        Assert.That(await db.StreamLengthAsync(RedisKeys.SessionEvents("alpha")), Is.EqualTo(lengthBefore), "no event traffic to a computer without a TUI");
        Assert.That(await db.StreamLengthAsync(RedisKeys.SessionEvents("charlie")), Is.GreaterThan(0));
    }

    [Test]
    public async Task NoClientAnywhere_MeansNoSessionEventTraffic()
    {
        var (a, b, c) = await StartThreeAsync();

        await b.CreateSessionAsync("Unwatched");
        await a.CreateSessionAsync("Unwatched too");
        // The heartbeat period is 1 s: two periods are enough for a wrongly sent event to have landed.
        await Task.Delay(TimeSpan.FromSeconds(2));

        var keys = _client.GetServers().Single().Keys(pattern: "session_events:*").ToArray();
        Assert.That(keys, Is.Empty);
        Assert.That(new[] { a, b, c }.Select(d => d.Get<RedisCounters>().Get(RedisCounters.EventsSent)), Is.All.EqualTo(0));
    }

    [Test]
    public async Task PeerGoingAway_IsMarkedOffline_AndSubscribedClientIsTold()
    {
        var (a, b, _) = await StartThreeAsync();
        var (hub, pushes) = await a.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));

        await b.StopAsync();
        var offline = await pushes.NextAsync<ComputerInfo>(nameof(ISessionsClient.ComputerOffline), x => x.Name == "bravo");

        Assert.That(offline.Status, Is.EqualTo(ComputerStatus.Offline));
        Assert.That((await ComputersAsync(a)).Single(x => x.Name == "bravo").Status, Is.EqualTo(ComputerStatus.Offline));
    }

    [Test]
    public async Task PeerGoingAway_IsMarkedOfflineAfterComputerTtl_ThoughItsHeartbeatKeyLivesOn()
    {
        // The key outlives ComputerTtl (as it does by default: 60 s each, and the scan runs every heartbeat):
        // re-reading the same old heartbeat from it must not keep the stopped peer online.
        var a = await StartDaemonAsync("alpha");
        var b = await DaemonProcess.StartAsync(
            "bravo",
            $"--TeleClaude:Redis:Configuration={_redis.Configuration}",
            "--TeleClaude:HeartbeatInterval=00:00:01",
            "--TeleClaude:Redis:HeartbeatTtl=00:00:30");
        _daemons.Add(b);
        await Eventually.ThatAsync(
            async () => (await ComputersAsync(a)).Any(x => x.Name == "bravo" && x.Status == ComputerStatus.Online),
            "alpha sees bravo online");

        await b.StopAsync();

        Assert.That(await _client.GetDatabase().KeyExistsAsync(RedisKeys.Heartbeat("bravo")), Is.True, "bravo's last heartbeat is still in Redis");
        await Eventually.ThatAsync(
            async () => (await ComputersAsync(a)).Single(x => x.Name == "bravo").Status == ComputerStatus.Offline,
            "alpha sees bravo offline about ComputerTtl (3 s) after its last heartbeat",
            TimeSpan.FromSeconds(8));
    }

    [Test]
    public async Task EventsSentWhileADaemonIsDown_AreReplayedAfterItRestarts()
    {
        var (a, b, _) = await StartThreeAsync();
        var (hub, pushes) = await a.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        await WaitForInterestAsync(b, "alpha", interested: true);

        // A goes down (its client with it); its last heartbeat, with interest, stays until it expires,
        // so B keeps sending and the events wait in A's stream.
        await a.StopAsync();
        var whileDown = await b.CreateSessionAsync("Created while alpha was down");
        await Eventually.ThatAsync(
            async () => await _client.GetDatabase().StreamLengthAsync(RedisKeys.SessionEvents("alpha")) > 0,
            "bravo queued the event for alpha");

        await a.StartAsync();

        // No client is subscribed on A now, so nothing pulls: only the replay can bring the session in.
        await Eventually.ThatAsync(
            async () =>
            {
                using var rest = a.Rest();
                return (await rest.ListSessionsAsync()).Any(s => s.SessionId == whileDown.SessionId);
            },
            "alpha replayed the missed event");
        Assert.That(a.Get<RedisCounters>().Get(RedisCounters.RequestsSent), Is.EqualTo(0), "replayed, not pulled");
        Assert.That(a.Get<RedisCounters>().Get(RedisCounters.EventsReceived), Is.GreaterThan(0));
    }

    [Test]
    public async Task MalformedStreamEntries_AreCountedAndSkipped_AndTheReaderGoesOn()
    {
        var a = await StartDaemonAsync("alpha");
        var db = _client.GetDatabase();
        var stream = RedisKeys.SessionEvents("alpha");
        var now = DateTimeOffset.UtcNow;
        var valid = new SessionInfo("s-valid", "zulu", "Valid after garbage", "/src/z", SessionStatus.Active, "claude", now, now, null, null);

        await db.StreamAddAsync(stream, [new NameValueEntry("event", "new_session"), new NameValueEntry("source", "zulu")]);
        await db.StreamAddAsync(stream, [new NameValueEntry("event", "new_session"), new NameValueEntry("source", "zulu"), new NameValueEntry("data", "{not json")]);
        await db.StreamAddAsync(stream, [new NameValueEntry("event", "self_destruct"), new NameValueEntry("source", "zulu"), new NameValueEntry("data", "{}")]);
        await db.StreamAddAsync(stream, [new NameValueEntry("event", "new_session"), new NameValueEntry("source", "zulu"), new NameValueEntry("data", "[1,2]")]);
        await db.StreamAddAsync(stream, [new NameValueEntry("event", "new_session"), new NameValueEntry("source", "mallory"), new NameValueEntry("data", RedisJson.Serialize(valid))]);
        await db.StreamAddAsync(stream, [new NameValueEntry("event", "new_session"), new NameValueEntry("source", "zulu"), new NameValueEntry("data", RedisJson.Serialize(valid))]);

        await Eventually.ThatAsync(
            async () =>
            {
                using var rest = a.Rest();
                return (await rest.ListSessionsAsync()).Any(s => s.SessionId == "s-valid" && s.Computer == "zulu");
            },
            "the valid entry after the garbage was applied");
        Assert.That(a.Get<RedisCounters>().Get(RedisCounters.MalformedEvents), Is.EqualTo(5));
        using var diagnostics = a.Rest();
        Assert.That((await diagnostics.DiagnosticsAsync()).Counters[RedisCounters.MalformedEvents], Is.EqualTo(5));
    }

    [Test]
    public async Task Requests_AreAnsweredOnOutputStream_UnknownCommandGetsErrorEnvelope()
    {
        var b = await StartDaemonAsync("bravo");
        var db = _client.GetDatabase();

        var unknown = await RequestAsync(db, "bravo", "format_disk", null);
        var projects = await RequestAsync(db, "bravo", "list_projects", null);
        var badTodos = await RequestAsync(db, "bravo", "list_todos", "{\"nope\":1}");
        var todos = await RequestAsync(db, "bravo", "list_todos", $"{{\"project_path\":\"{b.ProjectPath}\"}}");

        Assert.That(unknown, Does.Contain("\"status\":\"error\"").And.Contain("Unknown command 'format_disk'"));
        Assert.That(projects, Does.Contain("\"status\":\"success\"").And.Contain(b.ProjectPath));
        Assert.That(badTodos, Does.Contain("\"status\":\"error\"").And.Contain("project_path"));
        Assert.That(todos, Does.Contain("cache-push"));
        Assert.That(await db.KeyTimeToLiveAsync(RedisKeys.Output("0-0")), Is.Null);
    }

    [Test]
    public async Task Daemons_ListenOnlyToTheHeartbeatAccelerator_AndSendNoWakeUpSignals()
    {
        var (a, b, _) = await StartThreeAsync();
        var (hub, pushes) = await a.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        await WaitForInterestAsync(b, "alpha", interested: true);
        var created = await b.CreateSessionAsync("Read by a blocking XREAD");
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == created.SessionId);

        var channels = (RedisResult[])(await _client.GetDatabase().ExecuteAsync("PUBSUB", "CHANNELS", "*"))!;

        // (StackExchange.Redis itself listens to its configuration channel, __Booksleeve_MasterChanged.)
        Assert.That(channels.Select(c => (string)c!), Does.Contain("teleclaude:heartbeats"));
        Assert.That(channels.Select(c => (string)c!).Where(c => c.StartsWith("signal:", StringComparison.Ordinal) || c.StartsWith("responses:", StringComparison.Ordinal)), Is.Empty, "no wake-up channel is listened to");
        Assert.That(a.Get<RedisCounters>().Get(RedisCounters.StreamReads), Is.GreaterThan(0));
    }

    private static async Task<string> RequestAsync(IDatabase db, string target, string command, string? args)
    {
        NameValueEntry[] fields = args is null
            ? [new("command", command), new("initiator", "tester")]
            : [new("command", command), new("initiator", "tester"), new("args", args)];
        var id = (string)(await db.StreamAddAsync(RedisKeys.Messages(target), fields))!;
        string? chunk = null;
        await Eventually.ThatAsync(
            async () =>
            {
                var entries = await db.StreamRangeAsync(RedisKeys.Output(id), "-", "+");
                chunk = entries.Length > 0 ? (string?)entries[0]["chunk"] : null;
                return chunk is not null;
            },
            $"an answer to {command}");
        Assert.That(await db.KeyTimeToLiveAsync(RedisKeys.Output(id)), Is.Not.Null.And.GreaterThan(TimeSpan.Zero), "response streams expire");
        return chunk!;
    }
}
