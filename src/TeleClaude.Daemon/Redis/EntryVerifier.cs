using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Checks every entry the <see cref="StreamFollower"/> reads, before any handler sees it. With a fleet key an entry is
/// handed on only when
/// <list type="number">
/// <item>it is signed with a key this computer holds and the signature matches its fields and stream (else: unsigned,
/// unknown key, forged);</item>
/// <item>it is fresh: signed within <see cref="RedisOptions.RequestMaxAge"/> of when Redis stored it (the writer signs at
/// every attempt, so a stored copy of an old entry shows its age in its id); on every stream but <c>session_events:</c>
/// (which is read late by design, e.g. after a restart) also within that age of this computer's clock; and a request
/// must be signed after this computer began reading its requests (a copy of one sent to its previous run is refused
/// even within the age);</item>
/// <item>its nonce was not accepted on this stream before (a replay). The memory is per stream, holds each nonce until the
/// stream's position is past its age (no copy can pass 2 afterwards: new entries get larger ids), and is seeded, when
/// reading starts at a saved position, from the stream's own entries of the last <c>RequestMaxAge</c>.</item>
/// </list>
/// Every dropped entry is counted (<see cref="FleetCounters"/>) and logged in one line naming the sender, the stream and
/// the reason. Without a key everything is handed on (today's behaviour), and a peer that signs is reported once: it
/// has a key this computer lacks, so it drops everything this computer sends.
/// </summary>
internal sealed partial class EntryVerifier
{
    /// <summary>Entries of the last <c>RequestMaxAge</c> read back to seed the replay memory when reading starts at a saved position.</summary>
    internal const int SeedLimit = 10_000;

    private readonly FleetKeys _keys;
    private readonly RedisCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger<EntryVerifier> _logger;
    private readonly long _maxAge;
    private readonly TimeSpan _maxAgeSpan;
    private readonly ConcurrentDictionary<string, bool> _reportedSigners = new(StringComparer.Ordinal);

    public EntryVerifier(FleetKeys keys, RedisCounters counters, IOptions<RedisOptions> options, TimeProvider time, ILogger<EntryVerifier> logger)
    {
        _keys = keys;
        _counters = counters;
        _time = time;
        _logger = logger;
        _maxAgeSpan = options.Value.RequestMaxAge;
        _maxAge = (long)_maxAgeSpan.TotalMilliseconds;
        if (keys.Enabled)
        {
            LogFleetKeyOn(keys.Ids, _maxAgeSpan);
        }
    }

    public bool Enabled => _keys.Enabled;

    /// <summary>The per-stream state of a newly followed stream.</summary>
    public StreamGuard Guard(string stream) => new(
        KindOf(stream),
        stream.StartsWith("messages:", StringComparison.Ordinal) ? _time.GetUtcNow().ToUnixTimeMilliseconds() : 0,
        _keys.Enabled ? new ReplayMemory() : null);

    /// <summary>The entries of <paramref name="batch"/> that may be handed on (the same array when all may).</summary>
    public StreamEntry[] Filter(StreamGuard guard, string stream, StreamEntry[] batch)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(batch);
        if (!_keys.Enabled)
        {
            ReportSignersWithoutKey(batch);
            return batch;
        }

        List<StreamEntry>? accepted = null;
        for (var i = 0; i < batch.Length; i++)
        {
            var ok = Accept(guard, stream, batch[i]);
            if (!ok && accepted is null)
            {
                accepted = new List<StreamEntry>(batch.Length);
                accepted.AddRange(batch.AsSpan(0, i));
            }
            else if (ok)
            {
                accepted?.Add(batch[i]);
            }
        }

        return accepted is null ? batch : [.. accepted];
    }

    /// <summary>
    /// Before reading <paramref name="stream"/> from <paramref name="position"/> (a saved position, or the end of the
    /// stream): remembers the nonces of its signed entries of the last <c>RequestMaxAge</c> up to there, so that a copy
    /// of one, added after this computer restarted, is refused as a replay.
    /// </summary>
    public async Task SeedAsync(IDatabaseAsync db, StreamGuard guard, string stream, string position)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(guard);
        if (guard.Replays is not { } memory || guard.Seeded || !TryMilliseconds(position, out var until) || until == 0)
        {
            guard.Seeded = true;
            return;
        }

        var from = Math.Max(0, until - _maxAge);
        var entries = await db.StreamRangeAsync(stream, from.ToString(CultureInfo.InvariantCulture), position, count: SeedLimit);
        foreach (var entry in entries)
        {
            if (EntrySignature.Check(_keys, stream, entry) is { Outcome: SignatureOutcome.Valid } check)
            {
                memory.Remember(check.Nonce, check.SignedAtMilliseconds);
            }
        }

        guard.Seeded = true;
    }

    private bool Accept(StreamGuard guard, string stream, StreamEntry entry)
    {
        var check = EntrySignature.Check(_keys, stream, entry);
        var id = entry.Id.ToString();
        switch (check.Outcome)
        {
            case SignatureOutcome.Unsigned:
                _counters.Increment(FleetCounters.DroppedUnsigned);
                LogUnsigned(Kind(stream), EntrySignature.ClaimedSender(entry), stream, id);
                return false;
            case SignatureOutcome.UnknownKey:
                _counters.Increment(FleetCounters.DroppedUnknownKey);
                LogUnknownKey(Kind(stream), EntrySignature.ClaimedSender(entry), stream, id, check.Detail, _keys.Ids);
                return false;
            case SignatureOutcome.Forged:
                _counters.Increment(FleetCounters.DroppedForged);
                LogForged(Kind(stream), EntrySignature.ClaimedSender(entry), stream, id, check.Detail);
                return false;
        }

        if (StaleReason(guard, entry, check.SignedAtMilliseconds) is { } stale)
        {
            _counters.Increment(FleetCounters.DroppedStale);
            LogStale(Kind(stream), check.From, stream, id, stale, _maxAgeSpan);
            return false;
        }

        var memory = guard.Replays!;
        if (TryMilliseconds(id, out var storedAt))
        {
            // No entry stored from now on can be younger than this one's id: nonces signed longer than the age before
            // it can only come back in entries that fail the age check.
            memory.Forget(storedAt - _maxAge);
        }

        if (memory.Contains(check.Nonce))
        {
            _counters.Increment(FleetCounters.DroppedReplayed);
            LogReplayed(Kind(stream), check.From, stream, id);
            return false;
        }

        if (!memory.Remember(check.Nonce, check.SignedAtMilliseconds) && !guard.ReportedFull)
        {
            guard.ReportedFull = true;
            LogReplayMemoryFull(stream, memory.Capacity, _maxAgeSpan);
        }

        _counters.Increment(FleetCounters.Verified);
        return true;
    }

    private string? StaleReason(StreamGuard guard, StreamEntry entry, long signedAt)
    {
        if (TryMilliseconds(entry.Id.ToString(), out var storedAt) && Math.Abs(storedAt - signedAt) > _maxAge)
        {
            return storedAt > signedAt
                ? $"Redis stored it {Seconds(storedAt - signedAt)} after it was signed (a copy of an old entry)"
                : $"it was signed {Seconds(signedAt - storedAt)} after Redis stored it (the clocks of {EntrySignature.FromField} and Redis are apart)";
        }

        if (guard.Kind != StreamKind.Events)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (Math.Abs(now - signedAt) > _maxAge)
            {
                return now > signedAt
                    ? $"it was signed {Seconds(now - signedAt)} before it was read"
                    : $"it was signed {Seconds(signedAt - now)} ahead of this computer's clock (the clocks are apart)";
            }
        }

        if (signedAt < guard.NotBefore)
        {
            return $"it was signed before this computer began reading its requests at {DateTimeOffset.FromUnixTimeMilliseconds(guard.NotBefore):O} (a copy of a request sent to its previous run)";
        }

        return null;
    }

    private void ReportSignersWithoutKey(StreamEntry[] batch)
    {
        foreach (var entry in batch)
        {
            if (entry[EntrySignature.SignatureField].IsNull)
            {
                continue;
            }

            _counters.Increment(FleetCounters.SignedButNoKey);
            var sender = EntrySignature.ClaimedSender(entry);
            if (_reportedSigners.TryAdd(sender, true))
            {
                LogSignerWithoutKey(sender);
            }
        }
    }

    internal static bool TryMilliseconds(string? id, out long milliseconds)
    {
        var dash = id?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        return long.TryParse(dash < 0 ? id : id.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out milliseconds);
    }

    private static string Seconds(long milliseconds) => $"{milliseconds / 1000.0:0.#} s";

    private static StreamKind KindOf(string stream) =>
        stream.StartsWith("session_events:", StringComparison.Ordinal) ? StreamKind.Events
        : stream.StartsWith("messages:", StringComparison.Ordinal) ? StreamKind.Requests
        : StreamKind.Live;

    private static string Kind(string stream) => stream.AsSpan(0, Math.Max(0, stream.IndexOf(':', StringComparison.Ordinal))) switch
    {
        "messages" => "request",
        "output" => "response",
        "session_events" => "session event",
        "screen" => "screen",
        _ => "entry",
    };
}

/// <summary>How a stream's entries are judged: events are read late by design, requests are executed at most once.</summary>
internal enum StreamKind
{
    Live,
    Requests,
    Events,
}

/// <summary>What the verifier keeps per followed stream.</summary>
internal sealed class StreamGuard(StreamKind kind, long notBefore, ReplayMemory? replays)
{
    public StreamKind Kind { get; } = kind;

    /// <summary>Unix milliseconds before which no entry may have been signed (requests: when reading began); 0 for none.</summary>
    public long NotBefore { get; } = notBefore;

    /// <summary>Nonces accepted on this stream; null without a fleet key.</summary>
    public ReplayMemory? Replays { get; } = replays;

    public bool Seeded { get; set; }

    public bool ReportedFull { get; set; }
}
