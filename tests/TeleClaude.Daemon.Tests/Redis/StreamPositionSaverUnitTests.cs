using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// The event receiver's position writes: at most once a second, never in the way of applying events, and a failing
/// store is logged once per failure streak ("saving the stream position failed; will retry"), not per event.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
internal sealed class StreamPositionSaverUnitTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 1, 0, 0, TimeSpan.Zero));
    private readonly RecordingLogger _log = new();
    private readonly List<string> _written = [];
    private bool _storeFails;

    private static CancellationToken Ct => TestContext.CurrentContext.CancellationToken;

    private StreamPositionSaver Saver(RedisCounters counters) => new(
        (position, _, _) =>
        {
            if (_storeFails)
            {
                throw new InvalidOperationException("disk I/O error");
            }

            _written.Add(position);
            return Task.CompletedTask;
        },
        counters,
        _time,
        _log);

    [Test]
    [CancelAfter(5000)]
    public async Task Processed_WritesAtMostOncePerInterval_AndFlushWritesTheRest()
    {
        var saver = Saver(new RedisCounters());

        saver.Processed("1-0", "run", Ct);
        saver.Processed("2-0", "run", Ct);
        _time.Advance(StreamPositionSaver.Interval);
        saver.Processed("3-0", "run", Ct);
        saver.Processed("4-0", "run", Ct);
        await saver.FlushAsync(Ct);

        Assert.That(_written, Is.EqualTo(new[] { "1-0", "3-0", "4-0" }));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task FailingStore_IsLoggedOncePerStreak_AndRecoveryOnce()
    {
        var counters = new RedisCounters();
        var saver = Saver(counters);
        _storeFails = true;

        for (var i = 1; i <= 166; i++)
        {
            saver.Processed($"{i}-0", null, Ct);
            _time.Advance(StreamPositionSaver.Interval);
        }

        _storeFails = false;
        saver.Processed("167-0", null, Ct);
        _time.Advance(StreamPositionSaver.Interval);
        saver.Processed("168-0", null, Ct);
        await saver.FlushAsync(Ct);

        Assert.Multiple(() =>
        {
            Assert.That(_log.Lines.Count(l => l.Level == LogLevel.Warning), Is.EqualTo(1));
            Assert.That(_log.Lines.Single(l => l.Level == LogLevel.Warning).Message, Does.Contain("Saving the stream position").And.Contain("will retry").And.Contain("disk I/O error"));
            Assert.That(_log.Lines.Count(l => l.Level == LogLevel.Information && l.Message.Contains("works again", StringComparison.Ordinal)), Is.EqualTo(1));
            Assert.That(counters.Get(RedisCounters.PositionSaveFailures), Is.EqualTo(166));
            Assert.That(saver.Saved, Is.EqualTo("168-0"));
        });
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Processed_NeverWaitsForASlowWrite_AndWritesOneAtATime()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new List<string>();
        var saver = new StreamPositionSaver(
            async (position, _, _) =>
            {
                started.Add(position);
                await release.Task;
            },
            new RedisCounters(),
            _time,
            _log);

        saver.Processed("1-0", null, Ct);
        _time.Advance(StreamPositionSaver.Interval);
        saver.Processed("2-0", null, Ct);
        var startedWhileSlow = started.ToArray();
        release.SetResult();
        await saver.FlushAsync(Ct);

        Assert.That(startedWhileSlow, Is.EqualTo(new[] { "1-0" }), "no second write while the first is under way, and no wait for it");
        Assert.That(started, Is.EqualTo(new[] { "1-0", "2-0" }), "the flush writes the latest position");
        Assert.That(saver.Saved, Is.EqualTo("2-0"));
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
