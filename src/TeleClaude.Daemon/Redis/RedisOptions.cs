using Microsoft.Extensions.Options;

namespace TeleClaude.Daemon.Redis;

/// <summary>The Redis transport (section <c>TeleClaude:Redis</c>). No <see cref="Configuration"/> = local-only mode.</summary>
internal sealed class RedisOptions
{
    public const string SectionName = "TeleClaude:Redis";

    /// <summary>
    /// StackExchange.Redis configuration string, e.g. <c>redis.lan:6379,user=tc,password=secret,ssl=true</c>.
    /// Empty: the daemon runs local-only.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>Expiry of the heartbeat key; peers see this computer offline this long after its last heartbeat.</summary>
    public TimeSpan HeartbeatTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Approximate length cap of each <c>session_events:{computer}</c> stream (MAXLEN ~).</summary>
    public int EventStreamMaxLength { get; set; } = 10_000;

    /// <summary>Approximate length cap of each <c>messages:{computer}</c> request stream.</summary>
    public int RequestStreamMaxLength { get; set; } = 1_000;

    /// <summary>Expiry of an <c>output:{request_id}</c> response stream.</summary>
    public TimeSpan ResponseTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Requests older than this when read are not answered (their initiator gave up).</summary>
    public TimeSpan RequestMaxAge { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a session event is retried while Redis is unreachable before it is dropped (the peer re-pulls later).</summary>
    public TimeSpan EventRetryWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest wait for a peer to start, end or message a session.</summary>
    public TimeSpan ActionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one blocking stream read waits for entries before it is issued again. The reader is woken at once when
    /// entries arrive or its set of streams changes, so this only bounds the idle cost (one XREAD per period) and how
    /// long a silently dead connection can go unnoticed (this plus 10 s).
    /// </summary>
    public TimeSpan BlockingReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// While a local client is subscribed, how often the heartbeat keys are scanned, so a peer that only writes its key
    /// (no PUBLISH) is listed online within this bound; otherwise they are scanned once per heartbeat interval.
    /// </summary>
    public TimeSpan PeerScanInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The lease this daemon asks for when it watches a session of another computer (<c>watch_output</c>); it renews
    /// the lease every third of it while a local client watches. The owner writes the session's screens only while a
    /// lease lives, so a watcher that crashes costs at most this long of output traffic.
    /// </summary>
    public TimeSpan WatchLease { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Exact length cap (MAXLEN) of each <c>screen:{computer}:{session}</c> stream: only the newest screens matter.</summary>
    public int ScreenStreamMaxLength { get; set; } = 50;

    public bool Enabled => !string.IsNullOrWhiteSpace(Configuration);
}

internal sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var failures = new List<string>();
        if (options.Enabled)
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(options.Configuration!);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"TeleClaude:Redis:Configuration is not a valid StackExchange.Redis configuration string: {ex.Message}");
            }
        }

        if (options.HeartbeatTtl < TimeSpan.FromSeconds(1))
        {
            failures.Add("TeleClaude:Redis:HeartbeatTtl must be at least 00:00:01.");
        }

        if (options.ResponseTtl < TimeSpan.FromSeconds(1))
        {
            failures.Add("TeleClaude:Redis:ResponseTtl must be at least 00:00:01.");
        }

        if (options.EventRetryWindow <= TimeSpan.Zero)
        {
            failures.Add("TeleClaude:Redis:EventRetryWindow must be positive.");
        }

        if (options.ActionTimeout <= TimeSpan.Zero)
        {
            failures.Add("TeleClaude:Redis:ActionTimeout must be positive.");
        }

        if (options.RequestMaxAge <= TimeSpan.Zero)
        {
            failures.Add("TeleClaude:Redis:RequestMaxAge must be positive.");
        }

        if (options.BlockingReadTimeout < TimeSpan.FromSeconds(1) || options.BlockingReadTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add("TeleClaude:Redis:BlockingReadTimeout must be from 00:00:01 to 00:10:00.");
        }

        if (options.PeerScanInterval < TimeSpan.FromMilliseconds(100))
        {
            failures.Add("TeleClaude:Redis:PeerScanInterval must be at least 00:00:00.100.");
        }

        if (options.WatchLease < TimeSpan.FromSeconds(1) || options.WatchLease > TimeSpan.FromMinutes(10))
        {
            failures.Add("TeleClaude:Redis:WatchLease must be from 00:00:01 to 00:10:00.");
        }

        if (options.ScreenStreamMaxLength is < 1 or > 10_000)
        {
            failures.Add("TeleClaude:Redis:ScreenStreamMaxLength must be from 1 to 10000.");
        }

        if (options.EventStreamMaxLength < 100 || options.RequestStreamMaxLength < 100)
        {
            failures.Add("TeleClaude:Redis:EventStreamMaxLength and RequestStreamMaxLength must be at least 100.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
