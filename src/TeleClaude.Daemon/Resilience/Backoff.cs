using Polly;
using Polly.Retry;

namespace TeleClaude.Daemon.Resilience;

/// <summary>
/// The one retry policy of the daemon's background loops (Redis readers and writers, the heartbeat, tmux
/// control mode, ...): retry every fault except cancellation, forever, with exponential backoff, jitter and a
/// cap, timed by the injected <see cref="TimeProvider"/> so tests can drive it. Wrap one unit of work (one read,
/// one write, one connect) per call, so the delay starts small again after each success.
/// </summary>
internal static partial class Backoff
{
    /// <summary>First delay after a failure.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest delay between two attempts.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A pipeline that retries <paramref name="what"/> until it succeeds or the caller's token is cancelled.
    /// The first failure in a row is logged as a warning with its reason, later ones at debug level, so an
    /// outage writes one line, not one per attempt.
    /// </summary>
    /// <param name="what">What is retried, for the log ("reading session_events:mbp").</param>
    /// <param name="time">The clock the delays run on.</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <param name="onFailure">Called on each failure before the delay (e.g. to count it).</param>
    /// <param name="maxDelay">Overrides <see cref="MaxDelay"/>.</param>
    public static ResiliencePipeline Forever(string what, TimeProvider time, ILogger logger, Action<Exception>? onFailure = null, TimeSpan? maxDelay = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(static ex => ex is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = FirstDelay,
                MaxDelay = maxDelay ?? MaxDelay,
                OnRetry = args =>
                {
                    var exception = args.Outcome.Exception!;
                    onFailure?.Invoke(exception);
                    if (args.AttemptNumber == 0)
                    {
                        LogFirstFailure(logger, what, args.RetryDelay, exception.GetType().Name, exception.Message);
                    }
                    else
                    {
                        LogFailedAgain(logger, what, args.AttemptNumber + 1, args.RetryDelay, exception.Message);
                    }

                    return default;
                },
            })
            .Build();
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Warning, Message = "{What} failed ({Reason}: {Message}); retrying in {Delay} and on, with backoff, until it works.")]
    private static partial void LogFirstFailure(ILogger logger, string what, TimeSpan delay, string reason, string message);

    [LoggerMessage(EventId = 901, Level = LogLevel.Debug, Message = "{What} failed again (attempt {Attempt}: {Message}); retrying in {Delay}.")]
    private static partial void LogFailedAgain(ILogger logger, string what, int attempt, TimeSpan delay, string message);
}
