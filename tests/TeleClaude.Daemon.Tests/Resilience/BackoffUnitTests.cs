using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TeleClaude.Daemon.Resilience;

namespace TeleClaude.Daemon.Tests.Resilience;

[TestFixture]
public sealed class BackoffUnitTests
{
    [Test, CancelAfter(10_000)]
    public async Task Forever_RetriesUntilSuccess_WithGrowingCappedDelays_OnTheInjectedClock(CancellationToken cancellationToken)
    {
        var time = new FakeTimeProvider();
        var failures = new List<Exception>();
        var pipeline = Backoff.Forever("test work", time, NullLogger.Instance, failures.Add, maxDelay: TimeSpan.FromSeconds(1));
        var attempts = 0;
        var run = pipeline.ExecuteAsync(_ =>
        {
            attempts++;
            return attempts <= 8 ? throw new IOException($"fault {attempts}") : ValueTask.FromResult(attempts);
        }, cancellationToken).AsTask();

        // Nothing but the fake clock moves the retries on: advance it in steps no retry can outlast.
        var advanced = TimeSpan.Zero;
        while (!run.IsCompleted && advanced < TimeSpan.FromMinutes(1))
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            advanced += TimeSpan.FromMilliseconds(50);
            await Task.Yield();
            await Task.Delay(1, cancellationToken);
        }

        Assert.That(await run, Is.EqualTo(9));
        Assert.That(failures, Has.Count.EqualTo(8));
        Assert.That(failures.Select(f => f.Message), Is.EqualTo(Enumerable.Range(1, 8).Select(i => $"fault {i}")));

        // Eight delays, none above the 1 s cap: they cannot add up to more than 8 s of fake time.
        Assert.That(advanced, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(8) + TimeSpan.FromMilliseconds(50 * 9)));
    }

    [Test, CancelAfter(10_000)]
    public void Forever_DoesNotRetryCancellation(CancellationToken cancellationToken)
    {
        var time = new FakeTimeProvider();
        var failures = 0;
        var pipeline = Backoff.Forever("test work", time, NullLogger.Instance, _ => failures++);
        var attempts = 0;
        Assert.ThrowsAsync<OperationCanceledException>(async () => await pipeline.ExecuteAsync(_ =>
        {
            attempts++;
            throw new OperationCanceledException();
        }, cancellationToken));
        Assert.That((attempts, failures), Is.EqualTo((1, 0)));
    }

    [Test, CancelAfter(10_000)]
    public async Task Forever_StopsWaiting_WhenTheCallerCancels(CancellationToken cancellationToken)
    {
        var time = new FakeTimeProvider();
        var pipeline = Backoff.Forever("test work", time, NullLogger.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = pipeline.ExecuteAsync(_ => throw new IOException("always"), stop.Token).AsTask();
        await stop.CancelAsync();
        Assert.That(async () => await run, Throws.InstanceOf<OperationCanceledException>());
    }
}
