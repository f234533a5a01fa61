using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// The daemon's one writer of stream entries: every <c>XADD</c> (requests, answers, session events, and any entry kind
/// added later) goes through <see cref="AddAsync"/>, which signs the entry with the fleet keys when there are any (see
/// <see cref="EntrySignature"/>). <c>StreamAddAsync</c> is a banned API in the daemon (BannedSymbols.txt): a write that
/// skips this class does not compile. Each call signs anew, so an entry retried after a Redis outage carries the time
/// of the attempt that stored it, and the receivers' age check stays tight.
/// </summary>
internal sealed class EntryWriter(
    IConnectionMultiplexer redis,
    FleetKeys keys,
    RedisCounters counters,
    IOptions<DaemonOptions> daemonOptions,
    TimeProvider time)
{
    private readonly string _self = daemonOptions.Value.ComputerName;

    /// <summary>
    /// <c>XADD stream [MAXLEN [~] maxLength] * fields... [sig_ts sig_nonce sig_from sig]</c>; returns the entry id.
    /// </summary>
    /// <param name="stream">The stream key.</param>
    /// <param name="fields">The entry's own fields; the signature fields are appended after them.</param>
    /// <param name="maxLength">Trim the stream to about (or, with <paramref name="approximateMaxLength"/> false, exactly) this many entries.</param>
    /// <param name="approximateMaxLength">MAXLEN ~ (cheap; the default) or an exact MAXLEN.</param>
    public async Task<string> AddAsync(RedisKey stream, NameValueEntry[] fields, int? maxLength = null, bool approximateMaxLength = true)
    {
        var entry = Sign(stream, fields);
#pragma warning disable RS0030 // The one permitted XADD: see the class summary.
        var id = await redis.GetDatabase().StreamAddAsync(stream, entry, maxLength: maxLength, useApproximateMaxLength: maxLength is not null && approximateMaxLength);
#pragma warning restore RS0030
        if (keys.Enabled)
        {
            counters.Increment(FleetCounters.Signed);
        }

        return id.ToString();
    }

    /// <summary>The fields as they are written to <paramref name="stream"/>: signed when there is a fleet key.</summary>
    internal NameValueEntry[] Sign(RedisKey stream, NameValueEntry[] fields) =>
        keys.Enabled ? EntrySignature.Sign(keys, stream, fields, _self, time.GetUtcNow()) : fields;
}
