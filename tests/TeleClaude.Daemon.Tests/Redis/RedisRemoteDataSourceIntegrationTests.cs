using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>Pulls through a real redis-server with stand-in responders written by the test.</summary>
[TestFixture]
[CancelAfter(30_000)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
internal sealed class RedisRemoteDataSourceIntegrationTests
{
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _shared = null!;
    private RedisCounters _counters = null!;
    private StreamFollower _follower = null!;
    private RedisRemoteDataSource _source = null!;

    private static CancellationToken Ct => TestContext.CurrentContext.CancellationToken;

    [SetUp]
    public async Task StartAsync()
    {
        _redis = await RedisServer.StartAsync();
        _shared = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",abortConnect=false,allowAdmin=true");
        _counters = new RedisCounters();
        var options = Options.Create(new RedisOptions { Configuration = _redis.Configuration });
        var daemon = Options.Create(new DaemonOptions { ComputerName = "alpha" });
        _follower = new StreamFollower(_shared, _counters, options, new RedisConnectionOptions(options, daemon, NoTls()), TimeProvider.System, NullLogger<StreamFollower>.Instance);
        await _follower.StartAsync(Ct);
        var writer = new EntryWriter(_shared, TeleClaude.Daemon.Security.FleetKeys.None, _counters, daemon, TimeProvider.System);
        _source = new RedisRemoteDataSource(_shared, writer, _follower, _counters, options, daemon, TimeProvider.System, NullLogger<RedisRemoteDataSource>.Instance);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _follower.StopAsync(CancellationToken.None);
        _follower.Dispose();
        await _shared.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private Task<RedisValue> AnswerAsync(string requestId, string source, string sessionId) => _shared.GetDatabase().StreamAddAsync(
        RedisKeys.Output(requestId),
        [new NameValueEntry("chunk", $"{{\"status\":\"success\",\"data\":[{{\"session_id\":\"{sessionId}\"}}]}}"), new NameValueEntry("source", source)]);

    [Test]
    public async Task RequestsToTwoPeers_ThatShareAnId_EachGetTheirAnswer_EvenWhenTheSecondAnswerIsReadFirst()
    {
        // Entry ids are per stream: with both request streams at the same last id, the next requests share the id
        // (as requests to two computers in the same millisecond do) and so share one output stream.
        var db = _shared.GetDatabase();
        await db.StreamAddAsync(RedisKeys.Messages("p1"), "seed", "1", messageId: "9999999999999-0");
        await db.StreamAddAsync(RedisKeys.Messages("p2"), "seed", "1", messageId: "9999999999999-0");
        const string sharedId = "9999999999999-1";

        var first = _source.FetchSessionsAsync("p1", Ct);
        await Eventually.ThatAsync(() => Task.FromResult(_follower.Streams.Contains(RedisKeys.Output(sharedId).ToString())), "the first request waits on the shared output stream");
        var early = (string)(await AnswerAsync(sharedId, "p2", "from-p2"))!;
        await Eventually.ThatAsync(
            () => Task.FromResult(_follower.PositionOf(RedisKeys.Output(sharedId).ToString()) == early),
            "p2's early answer was read (for nobody yet)");

        var second = _source.FetchSessionsAsync("p2", Ct);
        await AnswerAsync(sharedId, "p1", "from-p1");

        Assert.That((await first.WaitAsync(Ct)).Select(s => s.SessionId), Is.EqualTo(new[] { "from-p1" }));
        Assert.That((await second.WaitAsync(Ct)).Select(s => s.SessionId), Is.EqualTo(new[] { "from-p2" }), "the answer read before its request was sent is kept for it");
        Assert.That(await db.StreamRangeAsync(RedisKeys.Messages("p2"), "-", "+"), Has.Some.Matches<StreamEntry>(e => e.Id == sharedId));
    }

    [Test]
    public async Task AnswerWithoutSource_IsTaken_AndAPartialSessionListIsRead()
    {
        var pull = _source.FetchSessionsAsync("p1", Ct);
        string? requestId = null;
        await Eventually.ThatAsync(
            async () =>
            {
                var requests = await _shared.GetDatabase().StreamRangeAsync(RedisKeys.Messages("p1"), "-", "+");
                requestId = requests.LastOrDefault().Id;
                return requestId is not null;
            },
            "the request is in messages:p1");

        await _shared.GetDatabase().StreamAddAsync(
            RedisKeys.Output(requestId!),
            "chunk",
            JsonSerializer.Serialize(new { status = "success", data = new object[] { new { session_id = "z1", working_directory = "/w" }, new { title = "no id" } } }));

        var sessions = await pull.WaitAsync(Ct);
        Assert.That(sessions.Select(s => (s.SessionId, s.Values.ProjectPath)), Is.EqualTo(new[] { ("z1", (string?)"/w") }));
        Assert.That(_counters.Get(RedisCounters.MalformedResponses), Is.EqualTo(1), "the session without an id is skipped and counted");
    }

    private static TeleClaude.Daemon.Security.RedisConnectionSecurity NoTls() =>
        new(Options.Create(new TeleClaude.Daemon.Security.RedisTlsOptions()), NullLogger<TeleClaude.Daemon.Security.RedisConnectionSecurity>.Instance);
}
