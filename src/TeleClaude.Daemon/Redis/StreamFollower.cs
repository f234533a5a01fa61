using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
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
/// registration's gap handler. Every entry is checked by the <see cref="EntryVerifier"/> (the fleet key's signature,
/// age and replay) before its handler sees it. Handlers run one after another on the read loop and must be quick; slow work is
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
    private readonly RedisConnectionOptions _connectionOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<StreamFollower> _logger;
    private readonly EntryVerifier? _verifier;
    private readonly Lock _lock = new();
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private ImmutableDictionary<string, Registration> _registrations = ImmutableDictionary<string, Registration>.Empty.WithComparers(StringComparer.Ordinal);
    private long _version;
    private ReaderConnection? _connection;
    private long _checkedGeneration;
    private long? _clientId;
    private bool _gapChecksRefused;
    private string? _runId;
    private InFlightRead? _inFlight;

    public StreamFollower(
        IConnectionMultiplexer shared,
        RedisCounters counters,
        IOptions<RedisOptions> options,
        RedisConnectionOptions connectionOptions,
        TimeProvider time,
        ILogger<StreamFollower> logger,
        EntryVerifier? verifier = null)
    {
        _shared = shared;
        _counters = counters;
        _options = options.Value;
        _connectionOptions = connectionOptions;
        _time = time;
        _logger = logger;
        _verifier = verifier;
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
        registration.Guard = _verifier?.Guard(registration.Key);
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
        var connection = _connection ??= await ReaderConnection.OpenAsync(_connectionOptions.Create("reader"), _options.BlockingReadTimeout);
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

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
