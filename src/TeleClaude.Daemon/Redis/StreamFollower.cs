using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Resilience;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Reads every stream this daemon follows (<c>messages:{self}</c>, <c>session_events:{self}</c>, the
/// <c>output:{id}</c> streams that pending pulls wait on, and whatever later work registers) with ONE blocking
/// <c>XREAD BLOCK</c> on a dedicated connection (<see cref="ReaderConnection"/>), so a plain <c>XADD</c> from any
/// writer is seen within milliseconds and nothing depends on a wake-up signal. When the set of streams changes, the
/// blocked read is woken with <c>CLIENT UNBLOCK</c> from the shared connection and re-issued with the new set; no
/// polling and no extra channel. When idle it costs one XREAD per <see cref="RedisOptions.BlockingReadTimeout"/>.
/// After a reconnect it resumes from each stream's last id and checks for gaps: a stream trimmed past that id, a
/// stream that is gone or was recreated, or a restarted server (new <c>run_id</c>) are reported to the
/// registration's gap handler. Handlers run one after another on the read loop and must be quick; slow work is
/// queued by the handler itself.
/// </summary>
internal sealed partial class StreamFollower : BackgroundService
{
    /// <summary>Entries read per stream and call; a full batch means the reader is behind (then gaps are checked).</summary>
    internal const int BatchSize = 256;

    /// <summary>Block time used when the server refuses <c>CLIENT ID</c>/<c>CLIENT UNBLOCK</c> (e.g. an ACL without them): the read cannot be woken, so it re-issues often.</summary>
    internal static readonly TimeSpan UnwakeableBlock = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long <c>CLIENT UNBLOCK</c> is retried while it finds the read not blocked yet (it travels on another
    /// connection and can overtake the XREAD, the more so on a loaded machine). Past this the read is no longer
    /// arriving: the id is stale (a reconnect the reader has not seen yet), and the read ends within its block time.
    /// </summary>
    internal static readonly TimeSpan WakeRetryLimit = TimeSpan.FromSeconds(2);

    private readonly IConnectionMultiplexer _shared;
    private readonly RedisCounters _counters;
    private readonly RedisOptions _options;
    private readonly string _clientName;
    private readonly TimeProvider _time;
    private readonly ILogger<StreamFollower> _logger;
    private readonly Lock _lock = new();
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private ImmutableDictionary<string, Registration> _registrations = ImmutableDictionary<string, Registration>.Empty.WithComparers(StringComparer.Ordinal);
    private long _version;
    private ReaderConnection? _connection;
    private long _checkedGeneration;
    private long? _clientId;
    private string? _runId;
    private InFlightRead? _inFlight;

    public StreamFollower(
        IConnectionMultiplexer shared,
        RedisCounters counters,
        IOptions<RedisOptions> options,
        IOptions<DaemonOptions> daemonOptions,
        TimeProvider time,
        ILogger<StreamFollower> logger)
    {
        _shared = shared;
        _counters = counters;
        _options = options.Value;
        _clientName = "teleclaude-" + daemonOptions.Value.ComputerName + "-reader";
        _time = time;
        _logger = logger;
    }

    /// <summary>The server's run_id as last seen by the reader (null before the first connect).</summary>
    public string? RunId => Volatile.Read(ref _runId);

    /// <summary>Streams followed right now (for diagnostics and tests).</summary>
    public IReadOnlyCollection<string> Streams => _registrations.Keys.ToArray();

    /// <summary>The id of the last entry handed over from <paramref name="stream"/>, or null when it is not followed (for tests).</summary>
    internal string? PositionOf(string stream) => _registrations.GetValueOrDefault(stream)?.Position;

    /// <summary>
    /// Follows <paramref name="stream"/> from after <paramref name="afterId"/> until the returned registration is disposed.
    /// </summary>
    /// <param name="stream">The stream key; one registration per stream.</param>
    /// <param name="afterId">Deliver entries after this id (<see cref="StreamId.Start"/> for all).</param>
    /// <param name="handle">Gets each batch in order; the position moves past the batch when it returns, also when it throws (logged once per failure streak).</param>
    /// <param name="onGap">Told when entries after the position may have been lost (trimmed, stream gone, Redis restarted); null to ignore gaps.</param>
    /// <param name="runId">The server run_id the position was recorded under (persisted by the caller), or null.</param>
    public Registration Follow(RedisKey stream, string afterId, Func<StreamEntry[], Task> handle, Action<StreamGap>? onGap = null, string? runId = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var registration = new Registration(this, stream, afterId, handle, onGap, runId);
        lock (_lock)
        {
            if (_registrations.ContainsKey(registration.Key))
            {
                throw new InvalidOperationException($"{registration.Key} is followed already.");
            }

            _registrations = _registrations.Add(registration.Key, registration);
        }

        OnSetChanged();
        return registration;
    }

    private void Remove(Registration registration)
    {
        lock (_lock)
        {
            if (!_registrations.TryGetValue(registration.Key, out var current) || !ReferenceEquals(current, registration))
            {
                return;
            }

            _registrations = _registrations.Remove(registration.Key);
        }

        // A stream that is no longer wanted need not interrupt the read: it is dropped from the next one.
        Interlocked.Increment(ref _version);
    }

    private void OnSetChanged()
    {
        Interlocked.Increment(ref _version);
        _changed.Writer.TryWrite(true);
        _ = WakeAsync();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Capped at 1 s: while Redis is away the reader's commands fail at once on the client (no network), and a short
        // cap means reading resumes within a second of the connection coming back.
        var pipeline = Backoff.Forever("Reading Redis streams", _time, _logger, OnReadFailure, TimeSpan.FromSeconds(1));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await pipeline.ExecuteAsync(ReadOnceAsync, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (_connection is { } connection)
            {
                _connection = null;
                await connection.DisposeAsync();
            }
        }
    }

    private void OnReadFailure(Exception exception)
    {
        _counters.Increment(RedisCounters.RedisErrors);
        if (exception is TimeoutException && _connection is { } connection)
        {
            // Nothing came back within block time + 10 s: the socket may be dead without the OS noticing. Start over.
            _connection = null;
            _ = connection.DisposeAsync().AsTask();
        }
    }

    private async ValueTask ReadOnceAsync(CancellationToken cancellationToken)
    {
        var connection = _connection ??= await ReaderConnection.OpenAsync(_options.Configuration!, _clientName, _options.BlockingReadTimeout);
        var generation = connection.Generation;
        if (generation != _checkedGeneration)
        {
            await AfterConnectAsync(connection);
            _checkedGeneration = generation;
        }

        var version = Interlocked.Read(ref _version);
        var registrations = _registrations;
        if (registrations.IsEmpty)
        {
            await _changed.Reader.ReadAsync(cancellationToken);
            return;
        }

        _changed.Reader.TryRead(out _);
        await CheckNewStreamsAsync(connection, registrations.Values);
        var streams = registrations.Values.Select(r => ((RedisKey)r.Key, r.Position)).ToArray();
        var block = _clientId is null ? Min(UnwakeableBlock, _options.BlockingReadTimeout) : _options.BlockingReadTimeout;
        var read = new InFlightRead(version, _clientId);
        Volatile.Write(ref _inFlight, read);
        if (Interlocked.Read(ref _version) != version)
        {
            // A stream was added after the snapshot and before the read was visible to WakeAsync: start over with it
            // rather than block without it (Follow bumps the version, then looks for a read in flight to wake).
            Volatile.Write(ref _inFlight, null);
            return;
        }

        IReadOnlyList<(string Stream, StreamEntry[] Entries)> reply;
        try
        {
            // The read cannot be cancelled on the server; shutdown stops waiting for it and disposes the connection.
            reply = await connection.ReadAsync(streams, BatchSize, block).WaitAsync(cancellationToken);
        }
        finally
        {
            Volatile.Write(ref _inFlight, null);
        }

        _counters.Increment(RedisCounters.StreamReads);
        foreach (var (stream, entries) in reply)
        {
            if (entries.Length == 0 || !registrations.TryGetValue(stream, out var registration) || registration.Disposed)
            {
                continue;
            }

            await registration.DeliverAsync(entries);
            if (entries.Length == BatchSize && registration.OnGap is not null)
            {
                // A full batch: this reader is behind, and the writers' MAXLEN may have trimmed past it.
                await CheckGapAsync(connection, registration, runIdChanged: false);
            }
        }
    }

    /// <summary>After each (re)connect: learn this connection's id and the server's run_id; every stream is checked for gaps next.</summary>
    private async Task AfterConnectAsync(ReaderConnection connection)
    {
        try
        {
            _clientId = await connection.ClientIdAsync();
        }
        catch (RedisServerException ex)
        {
            if (_clientId is not null || _checkedGeneration == 0)
            {
                LogCannotWake(ex.Message, UnwakeableBlock);
            }

            _clientId = null;
        }

        string? runId;
        try
        {
            runId = await connection.RunIdAsync();
        }
        catch (RedisServerException)
        {
            // INFO refused (an ACL without it): restarts are then noticed only through gone or trimmed streams.
            runId = null;
        }

        var previous = Volatile.Read(ref _runId);
        Volatile.Write(ref _runId, runId);
        if (previous is not null && runId is not null && previous != runId)
        {
            LogServerRestarted(previous, runId);
        }

        foreach (var registration in _registrations.Values)
        {
            registration.NeedsCheck = true;
        }

        LogReaderConnected(_clientId ?? -1, runId ?? "?", _registrations.Count);
    }

    /// <summary>Gap checks for streams registered or reconnected since the last read (one XINFO each, only where something could be missing).</summary>
    private async Task CheckNewStreamsAsync(ReaderConnection connection, IEnumerable<Registration> registrations)
    {
        var runId = Volatile.Read(ref _runId);
        foreach (var registration in registrations)
        {
            if (!registration.NeedsCheck)
            {
                continue;
            }

            var restarted = registration.RunId is not null && runId is not null && registration.RunId != runId;
            await CheckGapAsync(connection, registration, restarted);
            registration.RunId = runId ?? registration.RunId;
            registration.NeedsCheck = false;
        }
    }

    private async Task CheckGapAsync(ReaderConnection connection, Registration registration, bool runIdChanged)
    {
        var position = registration.Position;
        if (position == StreamId.Start && !runIdChanged)
        {
            return;
        }

        var info = await connection.InfoAsync(registration.Key);
        string? reason = null;
        if (info is null)
        {
            if (position != StreamId.Start)
            {
                reason = $"the stream is gone (last read {position})";
                registration.Position = StreamId.Start;
            }
        }
        else if (StreamId.Compare(info.Value.LastGeneratedId.ToString(), position) < 0)
        {
            reason = $"the stream was recreated (its last id {info.Value.LastGeneratedId} is before the last read {position})";
            registration.Position = StreamId.Start;
        }
        else if (info.Value.Length == 0 && StreamId.Compare(info.Value.LastGeneratedId.ToString(), position) > 0)
        {
            reason = $"every entry after the last read {position} was deleted (last id {info.Value.LastGeneratedId})";
        }
        else if (info.Value.Length > 0 && StreamId.Compare(info.Value.FirstEntry.Id.ToString(), position) > 0)
        {
            // Trimming (MAXLEN) does not record what it removed; the oldest entry left being after the last one read
            // means the entries in between are gone (or, rarely, that exactly the read ones were: a harmless re-pull).
            reason = $"the stream was trimmed past the last read {position} (its oldest entry is {info.Value.FirstEntry.Id})";
        }
        else if (!info.Value.MaxDeletedEntryId.IsNull && StreamId.Compare(info.Value.MaxDeletedEntryId.ToString(), position) > 0)
        {
            reason = $"entries after the last read {position} were deleted (up to {info.Value.MaxDeletedEntryId})";
        }

        if (reason is null && runIdChanged)
        {
            reason = "Redis restarted (new run_id); entries written before the restart may be lost";
        }

        if (reason is null || registration.OnGap is null)
        {
            if (reason is not null)
            {
                LogPositionReset(registration.Key, reason);
            }

            return;
        }

        _counters.Increment(RedisCounters.StreamGaps);
        LogGap(registration.Key, reason);
        try
        {
            registration.OnGap(new StreamGap(registration.Key, reason));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGapHandlerFailed(registration.Key, ex);
        }
    }

    /// <summary>
    /// Wakes the blocked read so it is re-issued with the current set of streams. <c>CLIENT UNBLOCK</c> answers 0 when
    /// the read has not reached the server yet (it travels on another connection); then it is tried again shortly,
    /// for as long as that same read is in flight, up to <see cref="WakeRetryLimit"/>.
    /// </summary>
    private async Task WakeAsync()
    {
        var read = Volatile.Read(ref _inFlight);
        if (read is null || read.ClientId is not { } clientId || read.Version >= Interlocked.Read(ref _version)
            || Interlocked.Exchange(ref read.WakeRequested, 1) == 1)
        {
            return;
        }

        var delay = TimeSpan.FromMilliseconds(1);
        var giveUpAt = _time.GetUtcNow() + WakeRetryLimit;
        while (ReferenceEquals(Volatile.Read(ref _inFlight), read) && _time.GetUtcNow() < giveUpAt)
        {
            try
            {
                if ((long)await _shared.GetDatabase().ExecuteAsync("CLIENT", "UNBLOCK", clientId) == 1)
                {
                    _counters.Increment(RedisCounters.ReaderWakeups);
                    return;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Redis trouble: the blocked read fails or runs out on its own and the next one has the new set.
                LogWakeFailed(ex.Message);
                return;
            }

            await Task.Delay(delay, _time);
            delay = Min(delay * 2, TimeSpan.FromMilliseconds(50));
        }

        if (ReferenceEquals(Volatile.Read(ref _inFlight), read))
        {
            LogWakeGaveUp(WakeRetryLimit);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>A stream followed by <see cref="StreamFollower"/>; dispose it to stop following.</summary>
    internal sealed partial class Registration : IDisposable
    {
        private readonly StreamFollower _follower;
        private readonly Func<StreamEntry[], Task> _handle;
        private bool _failing;
        private int _disposed;

        internal Registration(StreamFollower follower, RedisKey stream, string afterId, Func<StreamEntry[], Task> handle, Action<StreamGap>? onGap, string? runId)
        {
            _follower = follower;
            Key = stream.ToString();
            Position = string.IsNullOrEmpty(afterId) ? StreamId.Start : afterId;
            _handle = handle;
            OnGap = onGap;
            RunId = runId;
        }

        public string Key { get; }

        /// <summary>The id of the last entry handed to the handler (only the read loop moves it).</summary>
        public string Position { get; internal set; }

        /// <summary>The server run_id the position refers to.</summary>
        public string? RunId { get; internal set; }

        /// <summary>Set until the read loop has checked this stream for gaps (after registration and after each reconnect).</summary>
        internal bool NeedsCheck { get; set; } = true;

        internal Action<StreamGap>? OnGap { get; }

        internal bool Disposed => Volatile.Read(ref _disposed) == 1;

        internal async Task DeliverAsync(StreamEntry[] entries)
        {
            try
            {
                await _handle(entries);
                if (_failing)
                {
                    _failing = false;
                    _follower.LogHandlerRecovered(Key);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _follower._counters.Increment(RedisCounters.HandlerFailures);
                if (!_failing)
                {
                    _failing = true;
                    _follower.LogHandlerFailed(Key, ex);
                }
            }

            Position = entries[^1].Id.ToString();
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _follower.Remove(this);
            }
        }
    }

    private sealed class InFlightRead(long version, long? clientId)
    {
        public long Version { get; } = version;

        public long? ClientId { get; } = clientId;

        public int WakeRequested;
    }

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

    [LoggerMessage(EventId = 525, Level = LogLevel.Warning, Message = "Redis refuses CLIENT ID ({Message}); the stream reader cannot be woken and re-reads every {Block} instead. Grant +client|id and +client|unblock to fix.")]
    private partial void LogCannotWake(string message, TimeSpan block);

    [LoggerMessage(EventId = 526, Level = LogLevel.Warning, Message = "Redis restarted (run_id {Old} → {New}).")]
    private partial void LogServerRestarted(string old, string @new);

    [LoggerMessage(EventId = 527, Level = LogLevel.Error, Message = "The gap handler of {Stream} failed.")]
    private partial void LogGapHandlerFailed(string stream, Exception exception);

    [LoggerMessage(EventId = 529, Level = LogLevel.Warning, Message = "The stream reader could not be woken within {Limit}; streams added meanwhile are read when its current read ends.")]
    private partial void LogWakeGaveUp(TimeSpan limit);

    [LoggerMessage(EventId = 528, Level = LogLevel.Debug, Message = "Waking the stream reader failed ({Message}); the next read has the new streams.")]
    private partial void LogWakeFailed(string message);
}

/// <summary>Entries of <see cref="Stream"/> after the follower's position may have been lost, for <see cref="Reason"/>.</summary>
internal sealed record StreamGap(string Stream, string Reason);
