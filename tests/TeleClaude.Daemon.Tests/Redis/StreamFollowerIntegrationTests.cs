using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// The blocking stream reader against a real redis-server: plain XADDs are delivered without any signal, a blocked
/// read is woken when a stream is added, a killed connection resumes from the last id, and lost entries are reported.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
internal sealed class StreamFollowerIntegrationTests
{
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _shared = null!;
    private RedisCounters _counters = null!;
    private RecordingLogger _log = null!;
    private StreamFollower _follower = null!;

    private static CancellationToken Ct => TestContext.CurrentContext.CancellationToken;

    private IDatabase Db => _shared.GetDatabase();

    [SetUp]
    public async Task StartAsync()
    {
        _redis = await RedisServer.StartAsync();
        // The daemon's shared connection has admin mode on for CLIENT UNBLOCK; so does this stand-in.
        _shared = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",abortConnect=false,allowAdmin=true");
        _counters = new RedisCounters();
        _log = new RecordingLogger();
        var options = Options.Create(new RedisOptions { Configuration = _redis.Configuration, BlockingReadTimeout = TimeSpan.FromSeconds(30) });
        _follower = new StreamFollower(
            _shared,
            _counters,
            options,
            new RedisConnectionOptions(options, Options.Create(new DaemonOptions { ComputerName = "tester" }), NoTls()),
            TimeProvider.System,
            _log);
        await _follower.StartAsync(Ct);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _follower.StopAsync(CancellationToken.None);
        _follower.Dispose();
        await _shared.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private sealed class Received
    {
        public ConcurrentQueue<string> Values { get; } = new();

        public Func<StreamEntry[], Task> Handler => entries =>
        {
            foreach (var entry in entries)
            {
                Values.Enqueue((string)entry["v"]!);
            }

            return Task.CompletedTask;
        };

        public Task WaitForAsync(params string[] values) => Eventually.ThatAsync(
            () => Task.FromResult(values.All(Values.Contains)),
            $"{string.Join(", ", values)} arrived (have: {string.Join(", ", Values)})");
    }

    private Task<RedisValue> AddAsync(string stream, string value) => Db.StreamAddAsync(stream, "v", value);

    /// <summary>The reader connection as the server lists it, once it is blocked in XREAD.</summary>
    private async Task<long> BlockedReaderIdAsync()
    {
        long id = 0;
        await Eventually.ThatAsync(
            async () =>
            {
                var clients = await _shared.GetServers()[0].ClientListAsync();
                id = clients.FirstOrDefault(c => c.Name == "teleclaude-tester-reader" && c.LastCommand == "xread" && c.Flags.HasFlag(ClientFlags.Blocked))?.Id ?? 0;
                return id != 0;
            },
            "the reader is blocked in XREAD");
        return id;
    }

    [Test]
    public async Task Follow_DeliversPlainXadds_OnSeveralStreams_InOrder()
    {
        var a = new Received();
        var b = new Received();
        using var followA = _follower.Follow("t:a", StreamId.Start, a.Handler);
        using var followB = _follower.Follow("t:b", StreamId.Start, b.Handler);

        for (var i = 0; i < 5; i++)
        {
            await AddAsync("t:a", $"a{i}");
            await AddAsync("t:b", $"b{i}");
        }

        await a.WaitForAsync("a4");
        await b.WaitForAsync("b4");
        Assert.That(a.Values, Is.EqualTo(new[] { "a0", "a1", "a2", "a3", "a4" }));
        Assert.That(b.Values, Is.EqualTo(new[] { "b0", "b1", "b2", "b3", "b4" }));
    }

    [Test]
    public async Task Follow_WakesTheBlockedRead_WhenAStreamIsAdded()
    {
        var a = new Received();
        using var followA = _follower.Follow("t:a", StreamId.Start, a.Handler);
        await BlockedReaderIdAsync();
        var wakeupsBefore = _counters.Get(RedisCounters.ReaderWakeups);

        // The read blocks for 30 s; the new stream's entry must come long before that.
        var b = new Received();
        using var followB = _follower.Follow("t:b", StreamId.Start, b.Handler);
        await AddAsync("t:b", "late");

        await Eventually.ThatAsync(() => Task.FromResult(b.Values.Contains("late")), "the entry of the added stream arrived", TimeSpan.FromSeconds(10));
        Assert.That(_counters.Get(RedisCounters.ReaderWakeups), Is.GreaterThan(wakeupsBefore));
    }

    [Test]
    public async Task Follow_ResumesFromTheLastId_AfterTheConnectionIsKilledInTheMiddleOfABlockingRead()
    {
        var a = new Received();
        using var followA = _follower.Follow("t:a", StreamId.Start, a.Handler);
        await AddAsync("t:a", "before");
        await a.WaitForAsync("before");
        var reader = await BlockedReaderIdAsync();

        await _shared.GetServers()[0].ClientKillAsync(reader);
        await AddAsync("t:a", "during");
        await AddAsync("t:a", "after");

        await a.WaitForAsync("during", "after");
        Assert.That(a.Values, Is.EqualTo(new[] { "before", "during", "after" }), "nothing lost, nothing twice");
        Assert.That(await BlockedReaderIdAsync(), Is.Not.EqualTo(reader), "a new connection reads");
    }

    [Test]
    public async Task Follow_ReportsAGap_WhenTheStreamWasTrimmedPastThePosition()
    {
        var first = await AddAsync("t:a", "seen");
        await AddAsync("t:a", "lost");
        await AddAsync("t:a", "kept");
        await Db.StreamTrimAsync("t:a", 1);
        var gaps = new ConcurrentQueue<StreamGap>();
        var a = new Received();

        using var follow = _follower.Follow("t:a", first.ToString(), a.Handler, gaps.Enqueue);

        await a.WaitForAsync("kept");
        Assert.That(gaps.Select(g => g.Stream), Is.EqualTo(new[] { "t:a" }));
        Assert.That(gaps.Single().Reason, Does.Contain("trimmed"));
        Assert.That(_counters.Get(RedisCounters.StreamGaps), Is.EqualTo(1));
    }

    [Test]
    public async Task Follow_ReportsNoGap_WhenOnlyEntriesAlreadyReadWereTrimmed()
    {
        await AddAsync("t:a", "old");
        var read = await AddAsync("t:a", "read");
        await Db.StreamTrimAsync("t:a", 1);
        var gaps = new ConcurrentQueue<StreamGap>();
        var a = new Received();

        using var follow = _follower.Follow("t:a", read.ToString(), a.Handler, gaps.Enqueue);
        await AddAsync("t:a", "new");

        await a.WaitForAsync("new");
        Assert.That(gaps, Is.Empty);
    }

    [Test]
    public async Task Follow_ReportsAGap_AndReadsFromTheStart_WhenRedisRestartedEmpty()
    {
        var gaps = new ConcurrentQueue<StreamGap>();
        var a = new Received();
        using var follow = _follower.Follow("t:a", StreamId.Start, a.Handler, gaps.Enqueue);
        await AddAsync("t:a", "before");
        await a.WaitForAsync("before");

        await _redis.RestartAsync();
        await Eventually.ThatAsync(() => Task.FromResult(!gaps.IsEmpty), "the restart was reported as a gap", TimeSpan.FromSeconds(20));
        await Eventually.ThatAsync(
            async () =>
            {
                // Whatever id the empty server gives, it is read: the position was reset to the start.
                try
                {
                    await AddAsync("t:a", "after");
                    return true;
                }
                catch (RedisConnectionException)
                {
                    return false;
                }
            },
            "the shared connection is back");

        await a.WaitForAsync("after");
        Assert.That(gaps.First().Reason, Does.Contain("gone").Or.Contain("restarted"));
    }

    [Test]
    public async Task Follow_LogsAFailingHandlerOncePerStreak_AndGoesOn()
    {
        var calls = 0;
        var values = new ConcurrentQueue<string>();
        using var follow = _follower.Follow("t:a", StreamId.Start, entries =>
        {
            if (Interlocked.Increment(ref calls) <= 3)
            {
                throw new InvalidOperationException("handler bug");
            }

            foreach (var entry in entries)
            {
                values.Enqueue((string)entry["v"]!);
            }

            return Task.CompletedTask;
        });

        for (var i = 0; i < 4; i++)
        {
            await AddAsync("t:a", $"v{i}");
            await Eventually.ThatAsync(() => Task.FromResult(Volatile.Read(ref calls) > i), $"batch {i} was handled");
        }

        Assert.Multiple(() =>
        {
            Assert.That(values, Is.EqualTo(new[] { "v3" }), "the failed batches are skipped, the next is handled");
            Assert.That(_log.Count(LogLevel.Error), Is.EqualTo(1), "one error line for three failures in a row");
            Assert.That(_log.Lines.Count(l => l.Message.Contains("works again", StringComparison.Ordinal)), Is.EqualTo(1));
            Assert.That(_counters.Get(RedisCounters.HandlerFailures), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task Follow_StillWorks_WhenAnAclRefusesClientUnblockAndXinfo_ReadingWithShortBlocks()
    {
        await Db.ExecuteAsync("ACL", "SETUSER", "limited", "on", ">limited-pw", "~*", "&*", "+@all", "-client|unblock", "-xinfo");
        var configuration = _redis.Configuration + ",user=limited,password=limited-pw";
        await using var shared = await ConnectionMultiplexer.ConnectAsync(configuration + ",abortConnect=false,allowAdmin=true");
        var log = new RecordingLogger();
        var options = Options.Create(new RedisOptions { Configuration = configuration, BlockingReadTimeout = TimeSpan.FromSeconds(30) });
        using var follower = new StreamFollower(shared, new RedisCounters(), options, new RedisConnectionOptions(options, Options.Create(new DaemonOptions { ComputerName = "limited" }), NoTls()), TimeProvider.System, log);
        await follower.StartAsync(Ct);
        try
        {
            var a = new Received();
            var first = await AddAsync("t:a", "before");
            await AddAsync("t:a", "after");
            using var followA = follower.Follow("t:a", first.ToString(), a.Handler, _ => { });
            await a.WaitForAsync("after");

            // Without CLIENT UNBLOCK a stream added now is read at the next short block, not after 30 s.
            var b = new Received();
            using var followB = follower.Follow("t:b", StreamId.Start, b.Handler);
            await AddAsync("t:b", "late");
            await Eventually.ThatAsync(() => Task.FromResult(b.Values.Contains("late")), "the added stream's entry arrived", TimeSpan.FromSeconds(10));

            Assert.That(log.Lines.Count(l => l.Message.Contains("CLIENT UNBLOCK", StringComparison.Ordinal)), Is.EqualTo(1), "said once");
            Assert.That(log.Lines.Count(l => l.Message.Contains("XINFO STREAM", StringComparison.Ordinal)), Is.EqualTo(1), "said once");
        }
        finally
        {
            await follower.StopAsync(CancellationToken.None);
        }
    }

    internal sealed class RecordingLogger : ILogger<StreamFollower>
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();

        public IEnumerable<(LogLevel Level, string Message)> Lines => _lines;

        public int Count(LogLevel level) => _lines.Count(l => l.Level == level);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue((logLevel, formatter(state, exception)));
    }

    private static TeleClaude.Daemon.Security.RedisConnectionSecurity NoTls() =>
        new(Options.Create(new TeleClaude.Daemon.Security.RedisTlsOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<TeleClaude.Daemon.Security.RedisConnectionSecurity>.Instance);
}
