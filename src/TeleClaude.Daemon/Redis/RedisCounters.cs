using System.Collections.Concurrent;

namespace TeleClaude.Daemon.Redis;

/// <summary>Counters of the Redis transport, shown by the diagnostics endpoint.</summary>
internal sealed class RedisCounters
{
    public const string HeartbeatsSent = "heartbeats_sent";
    public const string EventsSent = "events_sent";
    public const string EventsReceived = "events_received";
    public const string EventsDropped = "events_dropped";
    public const string MalformedEvents = "malformed_events";
    public const string MalformedHeartbeats = "malformed_heartbeats";
    public const string MalformedRequests = "malformed_requests";
    public const string MalformedResponses = "malformed_responses";
    public const string RequestsServed = "requests_served";
    public const string RequestsDropped = "requests_dropped";
    public const string RequestsSent = "requests_sent";
    public const string RequestTimeouts = "request_timeouts";
    public const string RedisErrors = "redis_errors";
    public const string StreamReads = "stream_reads";
    public const string ReaderWakeups = "reader_wakeups";
    public const string StreamGaps = "stream_gaps";
    public const string GapRepulls = "gap_repulls";
    public const string HandlerFailures = "handler_failures";
    public const string PositionSaveFailures = "position_save_failures";

    // Screens of watched sessions (owner side).
    public const string ScreenLeases = "screen_leases";
    public const string ScreenLeasesExpired = "screen_leases_expired";
    public const string ScreenEntriesSent = "screen_entries_sent";
    public const string ScreenBytesSent = "screen_bytes_sent";

    // Watches of other computers' sessions (watcher side).
    public const string RemoteWatches = "remote_watches";
    public const string WatchRenewals = "watch_renewals";
    public const string WatchRenewalFailures = "watch_renewal_failures";
    public const string ScreenEntriesReceived = "screen_entries_received";
    public const string MalformedScreens = "malformed_screens";

    private readonly ConcurrentDictionary<string, long> _values = new(StringComparer.Ordinal);

    public void Increment(string name, long by = 1) => _values.AddOrUpdate(name, by, (_, v) => v + by);

    public long Get(string name) => _values.GetValueOrDefault(name);

    public IEnumerable<KeyValuePair<string, long>> All => _values;
}
