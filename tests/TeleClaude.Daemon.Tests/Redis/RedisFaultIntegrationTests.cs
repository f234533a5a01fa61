using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>Redis going away and coming back, and Redis with a password, against real daemons and a real redis-server.</summary>
[TestFixture]
[CancelAfter(90_000)]
internal sealed class RedisFaultIntegrationTests
{
    private static CancellationToken Ct => TestContext.CurrentContext.CancellationToken;

    [Test]
    public async Task RedisDownAtStart_LongerThanTheClientTimeouts_DaemonStaysUp_ServesLocalData_AndJoinsWhenRedisComesUp()
    {
        var port = RedisServer.FreePort();
        var clock = Stopwatch.StartNew();
        await using var lonely = await DaemonProcess.StartAsync(
            "lonely",
            [$"--TeleClaude:Redis:Configuration=127.0.0.1:{port},connectRetry=1,connectTimeout=500,syncTimeout=1000,asyncTimeout=1000", .. DaemonProcess.FastTransport]);
        using var rest = lonely.Rest();
        var created = await rest.CreateSessionAsync(new CreateSessionRequest(lonely.ProjectPath, "Works without Redis", "claude"));
        var source = lonely.Get<RedisRemoteDataSource>();
        Assert.That(
            async () => await source.FetchSessionsAsync("bravo", Ct),
            Throws.InstanceOf<RedisException>(),
            "a pull while Redis is down fails (and must not break later ones)");

        // Redis stays down for longer than every client timeout while the heartbeat, the reader and the responder
        // keep failing and retrying (the host used to stop here, with exit code 0).
        await Eventually.ThatAsync(
            () => Task.FromResult(lonely.Get<RedisCounters>().Get(RedisCounters.RedisErrors) >= 5 && clock.Elapsed > TimeSpan.FromSeconds(3)),
            "the Redis services failed several times, for longer than the client timeouts");
        Assert.That(lonely.Get<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested, Is.False, "nothing stopped the host");
        Assert.That((await rest.HealthAsync()).RedisConfigured, Is.True);
        Assert.That(await rest.ListSessionsAsync(), Has.Some.Matches<SessionInfo>(s => s.SessionId == created.SessionId));

        await using var redis = await RedisServer.StartAsync(port: port);
        await using var bravo = await DaemonProcess.StartWithRedisAsync(redis, "bravo");
        using var client = await redis.ConnectAsync();

        // Joined: its heartbeat is written, a peer pulls its sessions through its responder, its own pulls work, and
        // its subscription to the heartbeat channel (failed at start) was made: a heartbeat only published is heard.
        await Eventually.ThatAsync(async () => await client.GetDatabase().KeyExistsAsync(RedisKeys.Heartbeat("lonely")), "lonely's heartbeat is in Redis", TimeSpan.FromSeconds(20));
        var bravoSession = await bravo.CreateSessionAsync("On bravo");
        await Eventually.ThatAsync(
            async () =>
            {
                using var bravoRest = bravo.Rest();
                return (await bravoRest.ListComputersAsync()).Any(c => c.Name == "lonely" && c.Status == ComputerStatus.Online);
            },
            "bravo lists lonely online");
        var (hub, pushes) = await bravo.ConnectAsync();
        await hub.Subscribe(Views.Sessions).WaitAsync(Ct);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), cancellationToken: Ct);

        // lonely's reader may still be in its backoff from the outage when bravo's first pull goes (then the first state
        // lacks its sessions, after SubscribeWait): they must still reach the client, by a later push, without a new call.
        await Eventually.ThatAsync(
            () => Task.FromResult(pushes.Seen.Select(p => p.Payload).Any(p => p switch
            {
                SessionsSnapshot snapshot => snapshot.Sessions.Any(s => s.SessionId == created.SessionId),
                SessionInfo session => session.SessionId == created.SessionId,
                _ => false,
            })),
            "bravo pulled lonely's session",
            TimeSpan.FromSeconds(30));
        Assert.That((await source.FetchSessionsAsync("bravo", Ct)).Select(s => s.SessionId), Does.Contain(bravoSession.SessionId), "lonely's pulls work after the failed one");
        var ghost = HeartbeatCodec.Encode(new Heartbeat("ghost", DateTimeOffset.UtcNow, null, null, null, null));
        await Eventually.ThatAsync(
            async () =>
            {
                await client.GetDatabase().PublishAsync(RedisKeys.HeartbeatChannel, ghost);
                return (await rest.ListComputersAsync()).Any(c => c.Name == "ghost");
            },
            "lonely hears a heartbeat that is only published (its subscription was retried)");
    }

    [Test]
    public async Task RedisRestartedEmpty_DaemonNoticesTheLostStream_AndRepullsThePeersSessions()
    {
        await using var redis = await RedisServer.StartAsync();
        // A long computer TTL keeps the peer online through the outage, so no "came online" pull can hide the gap's.
        await using var alpha = await DaemonProcess.StartAsync("alpha", [$"--TeleClaude:Redis:Configuration={redis.Configuration}", .. DaemonProcess.FastTransport, "--TeleClaude:Cache:ComputerTtl=00:01:00"]);
        await using var peer = SeedPeer.Create(redis, "zulu");
        peer.SetSessions("""[{"session_id":"z1","title":"Before the outage"}]""");
        peer.Start();
        var (hub, pushes) = await alpha.ConnectAsync();
        await Eventually.ThatAsync(
            async () =>
            {
                using var rest = alpha.Rest();
                return (await rest.ListComputersAsync()).Any(c => c.Name == "zulu" && c.Status == ComputerStatus.Online);
            },
            "alpha lists zulu online");
        await hub.Subscribe(Views.Sessions).WaitAsync(Ct);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), s => s.Sessions.Any(x => x.SessionId == "z1"), Ct);

        await redis.KillAsync();
        peer.SetSessions("""[{"session_id":"z1","title":"Before the outage"},{"session_id":"z4","title":"Its event was lost with Redis"}]""");
        await redis.RestartAsync();

        var lost = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == "z4", Ct);
        Assert.That(lost.Computer, Is.EqualTo("zulu"));
        Assert.That(alpha.Get<RedisCounters>().Get(RedisCounters.GapRepulls), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task ReaderConnectionDroppedInTheMiddleOfABlockingRead_EventsStillReachTheClient()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var alpha = await DaemonProcess.StartWithRedisAsync(redis, "alpha");
        await using var peer = SeedPeer.Create(redis, "zulu");
        using var client = await ConnectionMultiplexer.ConnectAsync(redis.Configuration + ",allowAdmin=true");
        var (hub, pushes) = await alpha.ConnectAsync();
        await hub.Subscribe(Views.Sessions).WaitAsync(Ct);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), cancellationToken: Ct);
        await peer.EventAsync("alpha", SessionEventNames.NewSession, """{"session_id":"z1","title":"one"}""", Ct);
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == "z1", Ct);
        long reader = 0;
        await Eventually.ThatAsync(
            async () =>
            {
                var clients = await client.GetServers()[0].ClientListAsync();
                reader = clients.FirstOrDefault(c => c.Name == "teleclaude-alpha-reader" && c.LastCommand == "xread" && c.Flags.HasFlag(ClientFlags.Blocked))?.Id ?? 0;
                return reader != 0;
            },
            "alpha's reader is blocked in XREAD");

        await client.GetServers()[0].ClientKillAsync(reader);
        await peer.EventAsync("alpha", SessionEventNames.SessionUpdated, """{"session_id":"z1","title":"two"}""", Ct);
        await peer.EventAsync("alpha", SessionEventNames.NewSession, """{"session_id":"z2","title":"three"}""", Ct);

        var updated = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionUpdated), s => s.SessionId == "z1", Ct);
        var created = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == "z2", Ct);
        Assert.That((updated.Title, created.Title), Is.EqualTo(("two", "three")));
    }

    [Test]
    public async Task RedisKilledAndRestarted_DaemonsKeepServing_ThenResumePushing()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await DaemonProcess.StartWithRedisAsync(redis, "alpha");
        await using var b = await DaemonProcess.StartWithRedisAsync(redis, "bravo");
        var before = await b.CreateSessionAsync("Before the outage");
        var (hub, pushes) = await a.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var state = await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), s => s.Sessions.Any(x => x.SessionId == before.SessionId));
        Assert.That(state.Sessions, Has.Some.Matches<SessionInfo>(s => s.Computer == "bravo"));

        await Eventually.ThatAsync(
            () => Task.FromResult(b.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains("alpha")),
            "bravo sees alpha interested");
        var sentBefore = b.Get<RedisCounters>().Get(RedisCounters.EventsSent);

        await redis.KillAsync();

        // A change on B while Redis is gone: B keeps it and pushes it once Redis is back.
        var during = await b.CreateSessionAsync("Made on bravo during the outage");

        // Reads keep working from SQLite and the cache; local writes too.
        using (var rest = a.Rest())
        {
            Assert.That(await rest.ListSessionsAsync(), Has.Some.Matches<SessionInfo>(s => s.SessionId == before.SessionId), "cached remote data is still served");
            await rest.CreateSessionAsync(new CreateSessionRequest(a.ProjectPath, "Made during the outage", "claude"));
        }

        await redis.RestartAsync();

        // Heartbeats resume (the empty server learns interest again), and B's changes reach A's client again.
        await Eventually.ThatAsync(
            () => Task.FromResult(b.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains("alpha")),
            "bravo sees alpha interested after the restart",
            TimeSpan.FromSeconds(30));
        var after = await b.CreateSessionAsync("After the outage");
        var pushed = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == after.SessionId);
        Assert.That(pushed.Computer, Is.EqualTo("bravo"));
        Assert.That(pushes.Seen.Select(p => p.Payload).OfType<SessionInfo>().Select(s => s.SessionId), Does.Contain(during.SessionId), "the change made during the outage reached A's client");
        await Eventually.ThatAsync(
            () => Task.FromResult(b.Get<RedisCounters>().Get(RedisCounters.EventsSent) > sentBefore && a.Get<RedisCounters>().Get(RedisCounters.EventsReceived) > 0),
            "bravo delivered the event it kept through the outage (not only alpha's re-pull)");
        Assert.That(b.Get<RedisCounters>().Get(RedisCounters.EventsDropped), Is.Zero);
    }

    [Test]
    public async Task RedisWithPassword_DaemonsAuthenticate_AndSeeEachOther()
    {
        await using var redis = await RedisServer.StartAsync(password: "s3cret-for-tests");
        using (var anonymous = new System.Net.Sockets.TcpClient())
        {
            // A raw client without the password: the server answers NOAUTH, so auth is really on.
            await anonymous.ConnectAsync(System.Net.IPAddress.Loopback, redis.Port);
            var stream = anonymous.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[256];
            var read = await stream.ReadAsync(buffer);
            Assert.That(System.Text.Encoding.ASCII.GetString(buffer, 0, read), Does.StartWith("-NOAUTH"), "the server really requires the password");
        }

        await using var a = await DaemonProcess.StartWithRedisAsync(redis, "alpha");
        await using var b = await DaemonProcess.StartWithRedisAsync(redis, "bravo");
        var onB = await b.CreateSessionAsync("Behind a password");

        var (hub, pushes) = await a.ConnectAsync(HubProtocolKind.MessagePack);
        await Eventually.ThatAsync(
            async () =>
            {
                using var rest = a.Rest();
                return (await rest.ListComputersAsync()).Any(c => c.Name == "bravo" && c.Status == ComputerStatus.Online);
            },
            "alpha sees bravo online");
        await hub.Subscribe(Views.Sessions);
        var state = await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));

        Assert.That(state.Sessions, Has.Some.Matches<SessionInfo>(s => s.SessionId == onB.SessionId));
    }
}
