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
