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

        await redis.KillAsync();

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
    }

    [Test]
    public async Task RedisWithPassword_DaemonsAuthenticate_AndSeeEachOther()
    {
        await using var redis = await RedisServer.StartAsync(password: "s3cret-for-tests");
        await using (var anonymous = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},abortConnect=false,connectTimeout=1000,asyncTimeout=1000"))
        {
            var refused = Assert.CatchAsync<RedisException>(() => anonymous.GetDatabase().PingAsync());
            Assert.That(refused!.ToString(), Does.Contain("NOAUTH"), "the server really requires the password");
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
