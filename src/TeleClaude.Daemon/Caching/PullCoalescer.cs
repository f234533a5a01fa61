using System.Collections.Concurrent;

namespace TeleClaude.Daemon.Caching;

/// <summary>
/// Runs the cache's background pulls: one pull per key at a time (callers asking while it runs share it), each off the
/// caller's thread and bounded by the pull timeout on the injected clock. Faults are logged, never thrown, so a failed
/// pull leaves the cached value in place.
/// </summary>
internal sealed partial class PullCoalescer(TimeProvider time, TimeSpan timeout, ILogger logger, CancellationToken stopping)
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> _inflight = new(StringComparer.Ordinal);
    private long _started;

    /// <summary>Pulls started so far (coalesced requests count once).</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>Runs <paramref name="pull"/> for <paramref name="key"/>, or joins the one already running for it.</summary>
    public Task Coalesce(string key, Func<CancellationToken, Task> pull)
    {
        var lazy = new Lazy<Task>(() => RunPullAsync(key, pull), LazyThreadSafetyMode.ExecutionAndPublication);
        var winner = _inflight.GetOrAdd(key, lazy);
        var task = winner.Value;
        if (ReferenceEquals(winner, lazy))
        {
            _ = task.ContinueWith(
                static (_, state) =>
                {
                    var (pulls, key, lazy) = ((PullCoalescer, string, Lazy<Task>))state!;
                    pulls._inflight.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, lazy));
                },
                (this, key, lazy),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return task;
    }

    private async Task RunPullAsync(string key, Func<CancellationToken, Task> pull)
    {
        // Never run a pull on the reader's thread: reads return before any I/O starts.
        await Task.Yield();
        Interlocked.Increment(ref _started);
        // The deadline runs on the injected TimeProvider, like every other time in the cache.
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, deadline.Token);
        try
        {
            await pull(linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            if (!stopping.IsCancellationRequested)
            {
                LogPullTimedOut(logger, key, timeout);
            }
        }
        catch (Exception ex)
        {
            LogPullFailed(logger, key, ex);
        }
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Pull {Key} timed out after {Timeout}; the cached value stays.")]
    private static partial void LogPullTimedOut(ILogger logger, string key, TimeSpan timeout);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Pull {Key} failed; the cached value stays.")]
    private static partial void LogPullFailed(ILogger logger, string key, Exception exception);
}
