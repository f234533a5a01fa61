namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Keeps the event receiver's stream position durable without writing per event: the position of the last applied
/// entry is written at most once per <see cref="Interval"/> (and on <see cref="FlushAsync"/> at shutdown), in the
/// background, one write at a time, so the stream reader never waits on SQLite (a slow disk would otherwise hold up
/// every stream it reads). A failure is logged once ("saving the stream position failed; will retry"), retried with
/// the next entries, and its end is logged once. After a crash up to one interval of events is applied
/// again, which is harmless (events carry the session; merging the same fields twice changes nothing).
/// </summary>
internal sealed partial class StreamPositionSaver(
    Func<string, string?, CancellationToken, Task> save,
    RedisCounters counters,
    TimeProvider time,
    ILogger logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private string? _position;
    private string? _runId;
    private string? _saved;
    private DateTimeOffset _lastAttempt = DateTimeOffset.MinValue;
    private bool _failing;
    private Task _writing = Task.CompletedTask;

    /// <summary>The position last written successfully.</summary>
    public string? Saved => _saved;

    /// <summary>Starts from what was read back at start (nothing to write until it changes).</summary>
    public void Restore(string? position)
    {
        _position = position;
        _saved = position;
    }

    /// <summary>
    /// Records that every entry up to <paramref name="position"/> was applied; starts writing it when the interval has
    /// passed and no write is under way. Called by one reader at a time; returns without waiting for the write.
    /// </summary>
    public void Processed(string position, string? runId, CancellationToken cancellationToken)
    {
        _position = position;
        _runId = runId ?? _runId;
        if (_writing.IsCompleted && time.GetUtcNow() - _lastAttempt >= Interval)
        {
            _writing = TrySaveAsync(cancellationToken);
        }
    }

    /// <summary>Waits for a write under way, then writes the position if it moved since the last successful write (at shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writing;
        if (_position is not null && _position != _saved)
        {
            await TrySaveAsync(cancellationToken);
        }
    }

    private async Task TrySaveAsync(CancellationToken cancellationToken)
    {
        var position = _position!;
        _lastAttempt = time.GetUtcNow();
        try
        {
            await save(position, _runId, cancellationToken);
            _saved = position;
            if (_failing)
            {
                _failing = false;
                LogSaveRecovered(logger, position);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            counters.Increment(RedisCounters.PositionSaveFailures);
            if (!_failing)
            {
                _failing = true;
                LogSaveFailed(logger, position, ex.Message, ex);
            }
        }
    }

    [LoggerMessage(EventId = 541, Level = LogLevel.Warning, Message = "Saving the stream position ({Position}) failed: {Reason}. Events are still applied; will retry, and say when it works again.")]
    private static partial void LogSaveFailed(ILogger logger, string position, string reason, Exception exception);

    [LoggerMessage(EventId = 542, Level = LogLevel.Information, Message = "Saving the stream position works again ({Position}).")]
    private static partial void LogSaveRecovered(ILogger logger, string position);
}
