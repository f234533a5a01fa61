namespace TeleClaude.Daemon.Redis;

/// <summary>Names of the fleet-key counters, kept in <see cref="RedisCounters"/> (so <c>GET /diagnostics/hub</c> shows them with the transport's).</summary>
internal static class FleetCounters
{
    /// <summary>Entries this daemon wrote with a signature.</summary>
    public const string Signed = "fleet_signed";

    /// <summary>Entries read whose signature, age and nonce were accepted.</summary>
    public const string Verified = "fleet_verified";

    public const string DroppedUnsigned = "fleet_dropped_unsigned";
    public const string DroppedUnknownKey = "fleet_dropped_unknown_key";
    public const string DroppedForged = "fleet_dropped_forged";
    public const string DroppedStale = "fleet_dropped_stale";
    public const string DroppedReplayed = "fleet_dropped_replayed";

    /// <summary>Without a key: signed entries read from a peer that has one (it drops what this daemon sends).</summary>
    public const string SignedButNoKey = "fleet_signed_but_no_key";
}
