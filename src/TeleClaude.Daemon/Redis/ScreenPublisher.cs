using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Commands;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Resilience;
using TeleClaude.Daemon.Sessions;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// The owner's side of watching a session from another computer. A watcher's <c>watch_output</c> request takes (or
/// renews) a lease; while a session has a live lease this daemon listens to its screens (<see cref="OutputWatcher"/>
/// captures it at the watch pace, only after tmux reported output) and writes each changed screen to
/// <c>screen:{self}:{session}</c> with an exact <c>MAXLEN</c> and an expiry. A lease that is not renewed in time ends
/// by timer (a crashed watcher), <c>unwatch_output</c> ends it at once; with no lease left nothing is written. Writes
/// keep only the newest unwritten screen per session, so a slow or absent Redis holds at most one screen per session.
/// </summary>
internal sealed partial class ScreenPublisher : BackgroundService
{
    /// <summary>Shortest and longest lease granted, whatever a watcher asks.</summary>
    internal static readonly TimeSpan MinLease = TimeSpan.FromSeconds(1);

    internal static readonly TimeSpan MaxLease = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Leases held at once, over all sessions and watchers: far above what people watching can hold, it bounds what a
    /// peer that keeps asking with new watch ids can make this daemon keep (each lease ends within its length anyway).
    /// </summary>
    internal const int MaxLeases = 1000;

    private readonly IConnectionMultiplexer _redis;
    private readonly EntryWriter _writer;
    private readonly OutputWatcher _watcher;
    private readonly SessionStore _store;
    private readonly RedisCounters _counters;
    private readonly RedisOptions _options;
    private readonly string _self;
    private readonly TimeProvider _time;
    private readonly ILogger<ScreenPublisher> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Published> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SessionOutput> _pending = new(StringComparer.Ordinal);
    private readonly Channel<bool> _due = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ITimer _expiry;

    public ScreenPublisher(
        IConnectionMultiplexer redis,
        EntryWriter writer,
        OutputWatcher watcher,
        SessionStore store,
        RedisCounters counters,
        IOptions<RedisOptions> options,
        IOptions<DaemonOptions> daemonOptions,
        TimeProvider time,
        ILogger<ScreenPublisher> logger)
    {
        _redis = redis;
        _writer = writer;
        _watcher = watcher;
        _store = store;
        _counters = counters;
        _options = options.Value;
        _self = daemonOptions.Value.ComputerName;
        _time = time;
        _logger = logger;
        _expiry = time.CreateTimer(static state => ((ScreenPublisher)state!).EndExpiredLeases(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Leases alive now, over all sessions (for tests and diagnostics).</summary>
    public int LeaseCount
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Values.Sum(s => s.Leases.Count);
            }
        }
    }

    /// <summary>
    /// Starts or renews <paramref name="watcher"/>'s lease on the screens of the session <paramref name="args"/> names. A new lease (also one
    /// this daemon forgot by restarting) gets the current screen written next, so the watcher starts from it.
    /// </summary>
    public async Task<CommandResult<WatchOutputGrant>> WatchAsync(string watcher, WatchOutputArgs args, CancellationToken cancellationToken)
    {
        if (await _store.GetAsync(args.SessionId, cancellationToken) is not { } session)
        {
            return new CommandError(CommandErrorKind.NotFound, $"No session '{args.SessionId}' on {_self}.");
        }

        if (session.Status == SessionStatus.Terminated)
        {
            return new CommandError(CommandErrorKind.Conflict, $"Session '{args.SessionId}' has ended; there is no output to watch.");
        }

        var requested = args.LeaseMs is { } ms ? TimeSpan.FromMilliseconds(ms) : _options.WatchLease;
        var lease = requested < MinLease ? MinLease : requested > MaxLease ? MaxLease : requested;
        var key = new LeaseKey(watcher, args.WatchId ?? "");
        bool isNew;
        lock (_lock)
        {
            if (_sessions.Values.Sum(s => s.Leases.Count) >= MaxLeases
                && !(_sessions.TryGetValue(args.SessionId, out var known) && known.Leases.ContainsKey(key)))
            {
                return new CommandError(CommandErrorKind.Unavailable, $"{_self} holds {MaxLeases} watches already; try again when some have ended.");
            }

            if (!_sessions.TryGetValue(args.SessionId, out var published))
            {
                published = new Published(args.SessionId);
                _sessions[args.SessionId] = published;
                published.Listening = _watcher.ListenToScreens(args.SessionId, OnScreen);
            }

            isNew = !published.Leases.ContainsKey(key);
            published.Leases[key] = new Lease(_time.GetUtcNow() + lease, lease);
            if (isNew)
            {
                // Written again even if unchanged: the new watcher reads the stream from before its request.
                published.LastQueued = null;
                published.ExpirySetAt = null;
            }

            ScheduleExpiry();
        }

        if (isNew)
        {
            _counters.Increment(RedisCounters.ScreenLeases);
            LogLeaseStarted(watcher, args.SessionId, lease);
            _watcher.CaptureSoon(args.SessionId);
        }

        return new WatchOutputGrant(RedisKeys.Screen(_self, args.SessionId).ToString(), (long)lease.TotalMilliseconds, isNew);
    }

    /// <summary>Ends <paramref name="watcher"/>'s lease at once (idempotent).</summary>
    public void Unwatch(string watcher, WatchOutputArgs args)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(args.SessionId, out var published) && published.Leases.Remove(new LeaseKey(watcher, args.WatchId ?? "")))
            {
                _counters.Increment(RedisCounters.ScreenLeases, -1);
                StopIfUnwatched(published);
                ScheduleExpiry();
            }
        }
    }

    /// <summary>Called on the output watcher's loop with every capture of a session that has a lease.</summary>
    private void OnScreen(SessionOutput output)
    {
        lock (_lock)
        {
            if (!_sessions.TryGetValue(output.SessionId, out var published) || published.Leases.Count == 0 || output.Screen == published.LastQueued)
            {
                return;
            }

            published.LastQueued = output.Screen;
            _pending[output.SessionId] = output;
        }

        _due.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pipeline = Backoff.Forever("Writing watched sessions' screens to Redis", _time, _logger, _ => _counters.Increment(RedisCounters.RedisErrors));
        try
        {
            while (await _due.Reader.WaitToReadAsync(stoppingToken))
            {
                _due.Reader.TryRead(out _);
                await pipeline.ExecuteAsync(WritePendingAsync, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _expiry.Dispose();
        base.Dispose();
    }

    /// <summary>Writes the newest pending screen of each session; one that fails is put back unless a newer one came meanwhile.</summary>
    private async ValueTask WritePendingAsync(CancellationToken cancellationToken)
    {
        while (TakeNext() is { } next)
        {
            var (output, setExpiry) = next;
            try
            {
                await WriteAsync(output, setExpiry);
            }
            catch
            {
                lock (_lock)
                {
                    if (_sessions.TryGetValue(output.SessionId, out var published) && published.Leases.Count > 0)
                    {
                        _pending.TryAdd(output.SessionId, output);
                        published.ExpirySetAt = null;
                    }
                }

                throw;
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private (SessionOutput Output, TimeSpan? SetExpiry)? TakeNext()
    {
        lock (_lock)
        {
            foreach (var (sessionId, output) in _pending)
            {
                _pending.Remove(sessionId);
                if (!_sessions.TryGetValue(sessionId, out var published) || published.Leases.Count == 0)
                {
                    continue;
                }

                // The stream outlives its longest lease twice over, so a stream whose owner stops (crash, shutdown) goes
                // away by itself; the expiry is refreshed every third of a lease while screens are written.
                var longest = published.Leases.Values.Max(l => l.Length);
                var now = _time.GetUtcNow();
                TimeSpan? ttl = null;
                if (published.ExpirySetAt is not { } set || now - set >= longest / 3)
                {
                    published.ExpirySetAt = now;
                    ttl = longest * 2;
                }

                return (output, ttl);
            }

            return null;
        }
    }

    private async Task WriteAsync(SessionOutput output, TimeSpan? ttl)
    {
        var db = _redis.GetDatabase();
        var key = RedisKeys.Screen(_self, output.SessionId);
        var fields = ScreenCodec.Encode(output, _self);
        var add = _writer.AddAsync(key, fields, _options.ScreenStreamMaxLength, approximateMaxLength: false);
        var expire = ttl is { } t ? db.KeyExpireAsync(key, t) : Task.FromResult(true);
        await Task.WhenAll(add, expire);
        _counters.Increment(RedisCounters.ScreenEntriesSent);
        _counters.Increment(RedisCounters.ScreenBytesSent, ScreenCodec.Size(fields));
    }

    private void EndExpiredLeases()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var published in _sessions.Values.ToArray())
            {
                foreach (var (key, lease) in published.Leases.Where(l => l.Value.ExpiresAt <= now).ToArray())
                {
                    published.Leases.Remove(key);
                    _counters.Increment(RedisCounters.ScreenLeases, -1);
                    _counters.Increment(RedisCounters.ScreenLeasesExpired);
                    LogLeaseExpired(key.Watcher, published.SessionId, lease.Length);
                }

                StopIfUnwatched(published);
            }

            ScheduleExpiry();
        }
    }

    /// <summary>With no lease left: stop listening, forget what was pending. Called under the lock.</summary>
    private void StopIfUnwatched(Published published)
    {
        if (published.Leases.Count > 0)
        {
            return;
        }

        published.Listening?.Dispose();
        _sessions.Remove(published.SessionId);
        _pending.Remove(published.SessionId);
        LogStopped(published.SessionId);
    }

    /// <summary>Points the timer at the earliest lease end. Called under the lock.</summary>
    private void ScheduleExpiry()
    {
        var next = _sessions.Values.SelectMany(s => s.Leases.Values).Select(l => (DateTimeOffset?)l.ExpiresAt).Min();
        var due = next is { } at ? at - _time.GetUtcNow() : Timeout.InfiniteTimeSpan;
        _expiry.Change(due == Timeout.InfiniteTimeSpan || due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private readonly record struct LeaseKey(string Watcher, string WatchId);

    private readonly record struct Lease(DateTimeOffset ExpiresAt, TimeSpan Length);

    private sealed class Published(string sessionId)
    {
        public string SessionId { get; } = sessionId;

        public Dictionary<LeaseKey, Lease> Leases { get; } = [];

        public IDisposable? Listening { get; set; }

        /// <summary>The last screen queued for writing: a capture with the same text is not written again.</summary>
        public string? LastQueued { get; set; }

        public DateTimeOffset? ExpirySetAt { get; set; }
    }

    [LoggerMessage(EventId = 570, Level = LogLevel.Information, Message = "{Watcher} watches session {SessionId} (lease {Lease}); its screens go to Redis while the lease is renewed.")]
    private partial void LogLeaseStarted(string watcher, string sessionId, TimeSpan lease);

    [LoggerMessage(EventId = 571, Level = LogLevel.Information, Message = "The lease of {Watcher} on session {SessionId} ran out (not renewed within {Lease}: the watcher is gone or cannot reach Redis).")]
    private partial void LogLeaseExpired(string watcher, string sessionId, TimeSpan lease);

    [LoggerMessage(EventId = 572, Level = LogLevel.Debug, Message = "Nobody watches session {SessionId} from another computer any more; its screens are no longer written.")]
    private partial void LogStopped(string sessionId);
}
