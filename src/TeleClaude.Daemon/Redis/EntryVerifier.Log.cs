namespace TeleClaude.Daemon.Redis;

/// <summary>The fleet key's log lines (EventIds 740-749): one per dropped entry, naming the sender, the stream and why.</summary>
internal sealed partial class EntryVerifier
{
    [LoggerMessage(EventId = 740, Level = LogLevel.Warning, Message = "Dropped an unsigned {Kind} from {Sender} on {Stream} ({Id}): this computer accepts only entries signed with the fleet key. Give {Sender} the fleet key (TeleClaude:Redis:FleetKey).")]
    private partial void LogUnsigned(string kind, string sender, string stream, string id);

    [LoggerMessage(EventId = 741, Level = LogLevel.Warning, Message = "Dropped a {Kind} from {Sender} on {Stream} ({Id}): it is signed with key {TheirIds}, which this computer does not hold (it holds {OurIds}): another fleet key, or a key rotation not finished.")]
    private partial void LogUnknownKey(string kind, string sender, string stream, string id, string theirIds, string ourIds);

    [LoggerMessage(EventId = 742, Level = LogLevel.Warning, Message = "Dropped a forged {Kind} claiming to be from {Sender} on {Stream} ({Id}): {Problem}.")]
    private partial void LogForged(string kind, string sender, string stream, string id, string problem);

    [LoggerMessage(EventId = 743, Level = LogLevel.Warning, Message = "Dropped a stale {Kind} from {Sender} on {Stream} ({Id}): {Reason}; at most {MaxAge} (TeleClaude:Redis:RequestMaxAge) is accepted.")]
    private partial void LogStale(string kind, string sender, string stream, string id, string reason, TimeSpan maxAge);

    [LoggerMessage(EventId = 744, Level = LogLevel.Warning, Message = "Dropped a replayed {Kind} from {Sender} on {Stream} ({Id}): the same signed entry was accepted before.")]
    private partial void LogReplayed(string kind, string sender, string stream, string id);

    [LoggerMessage(EventId = 745, Level = LogLevel.Warning, Message = "{Sender} signs what it writes to Redis with a fleet key, but this computer has none: {Sender} drops everything this computer sends. Set TeleClaude:Redis:FleetKey (or FleetKeyFile) to the fleet's key.")]
    private partial void LogSignerWithoutKey(string sender);

    [LoggerMessage(EventId = 746, Level = LogLevel.Information, Message = "Fleet key on (key {Ids}): every Redis stream entry is signed, and entries that are unsigned, forged, older than {MaxAge} or replayed are dropped.")]
    private partial void LogFleetKeyOn(string ids, TimeSpan maxAge);

    [LoggerMessage(EventId = 748, Level = LogLevel.Warning, Message = "The replay memory of {Stream} is full ({Capacity} entries signed within {MaxAge}); the oldest are forgotten first. Someone holding the fleet key writes far more than the fleet does.")]
    private partial void LogReplayMemoryFull(string stream, int capacity, TimeSpan maxAge);
}
