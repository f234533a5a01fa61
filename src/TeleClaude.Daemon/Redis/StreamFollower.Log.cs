namespace TeleClaude.Daemon.Redis;

/// <summary>The follower's log lines (EventIds 519-529).</summary>
internal sealed partial class StreamFollower
{
    [LoggerMessage(EventId = 520, Level = LogLevel.Information, Message = "Stream reader connected (client id {ClientId}, Redis run_id {RunId}); following {Count} streams with blocking reads.")]
    private partial void LogReaderConnected(long clientId, string runId, int count);

    [LoggerMessage(EventId = 521, Level = LogLevel.Error, Message = "Handling entries of {Stream} failed; they are skipped, and later failures in a row are not logged again.")]
    private partial void LogHandlerFailed(string stream, Exception exception);

    [LoggerMessage(EventId = 522, Level = LogLevel.Information, Message = "Handling entries of {Stream} works again.")]
    private partial void LogHandlerRecovered(string stream);

    [LoggerMessage(EventId = 523, Level = LogLevel.Warning, Message = "Possible gap in {Stream}: {Reason}. Re-pulling what it carries.")]
    private partial void LogGap(string stream, string reason);

    [LoggerMessage(EventId = 524, Level = LogLevel.Information, Message = "Reading {Stream} from its start again: {Reason}.")]
    private partial void LogPositionReset(string stream, string reason);

    [LoggerMessage(EventId = 525, Level = LogLevel.Warning, Message = "Redis refuses CLIENT ID or CLIENT UNBLOCK ({Message}); the stream reader cannot be woken and re-reads every {Block} instead. Grant +client|id and +client|unblock to fix.")]
    private partial void LogCannotWake(string message, TimeSpan block);

    [LoggerMessage(EventId = 526, Level = LogLevel.Warning, Message = "Redis restarted (run_id {Old} → {New}).")]
    private partial void LogServerRestarted(string old, string @new);

    [LoggerMessage(EventId = 527, Level = LogLevel.Error, Message = "The gap handler of {Stream} failed.")]
    private partial void LogGapHandlerFailed(string stream, Exception exception);

    [LoggerMessage(EventId = 529, Level = LogLevel.Warning, Message = "The stream reader could not be woken within {Limit}; streams added meanwhile are read when its current read ends.")]
    private partial void LogWakeGaveUp(TimeSpan limit);

    [LoggerMessage(EventId = 519, Level = LogLevel.Warning, Message = "Redis refuses XINFO STREAM ({Message}): lost stream entries (trimmed, Redis restarted) cannot be noticed. Grant +xinfo|stream to fix.")]
    private partial void LogGapCheckRefused(string message);

    [LoggerMessage(EventId = 528, Level = LogLevel.Debug, Message = "Waking the stream reader failed ({Message}); the next read has the new streams.")]
    private partial void LogWakeFailed(string message);
}
