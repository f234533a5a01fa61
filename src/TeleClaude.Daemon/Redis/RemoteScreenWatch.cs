using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Commands;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// The watcher's side of one watch of a session on another computer. It follows <c>screen:{owner}:{session}</c> with the
/// shared blocking reader from the stream's last entry (read before asking, so the owner's first screen cannot be
/// missed), takes a lease with <c>watch_output</c>, and renews it every third of the lease until disposed; disposing
/// stops following and sends <c>unwatch_output</c>. Each batch read hands on its newest valid screen (a reader that fell
/// behind shows the present, not the past); entries of the wrong session or owner, without a screen or with an
/// oversized one, are counted and skipped. A renewal that fails (the owner restarting, Redis away) is retried at the
/// next period; the first renewal the owner takes as new (it forgot the lease) brings the current screen again.
/// </summary>
internal sealed partial class RemoteScreenWatch : IAsyncDisposable
{
    /// <summary>Longest wait for the owner's answer to <c>unwatch_output</c> when the watch ends.</summary>
    internal static readonly TimeSpan UnwatchTimeout = TimeSpan.FromSeconds(2);

    private readonly RedisRemoteDataSource _requests;
    private readonly StreamFollower _follower;
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisCounters _counters;
    private readonly RedisOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _computer;
    private readonly string _sessionId;
    private readonly Func<SessionOutput, Task> _onOutput;
    private readonly string _watchId = Guid.NewGuid().ToString("N")[..12];
    private readonly CancellationTokenSource _stop = new();
    private StreamFollower.Registration? _registration;
    private Task _renewing = Task.CompletedTask;
    private string? _lastScreen;
    private bool _malformedStreak;
    private int _disposed;

    public RemoteScreenWatch(
        RedisRemoteDataSource requests,
        StreamFollower follower,
        IConnectionMultiplexer redis,
        RedisCounters counters,
        IOptions<RedisOptions> options,
        TimeProvider time,
        ILogger logger,
        string computer,
        string sessionId,
        Func<SessionOutput, Task> onOutput)
    {
        _requests = requests;
        _follower = follower;
        _redis = redis;
        _counters = counters;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _computer = computer;
        _sessionId = sessionId;
        _onOutput = onOutput;
    }

    private RedisKey Stream => RedisKeys.Screen(_computer, _sessionId);

    /// <summary>Starts following and takes the first lease; on failure nothing is left behind and the error says why.</summary>
    public async Task<CommandResult<IAsyncDisposable>> StartAsync(CancellationToken cancellationToken)
    {
        string after;
        try
        {
            var last = await _redis.GetDatabase().StreamRangeAsync(Stream, "-", "+", count: 1, messageOrder: Order.Descending);
            after = last.Length == 0 ? StreamId.Start : last[0].Id.ToString();
        }
        catch (RedisServerException ex)
        {
            return new CommandError(CommandErrorKind.Unavailable, $"Redis refused reading {Stream}: {ex.Message}");
        }
        catch (RedisException ex)
        {
            return new CommandError(CommandErrorKind.Unavailable, $"Redis is unreachable: {ex.Message}");
        }

        _registration = _follower.Follow(Stream, after, OnEntriesAsync);
        CommandResult<WatchOutputGrant> grant;
        try
        {
            grant = await RequestLeaseAsync(_options.ActionTimeout, cancellationToken);
        }
        catch
        {
            _registration.Dispose();
            throw;
        }

        if (grant.Error is { } error)
        {
            _registration.Dispose();
            return error;
        }

        _counters.Increment(RedisCounters.RemoteWatches);
        _renewing = RenewAsync(TimeSpan.FromMilliseconds(grant.Value!.LeaseMs), _stop.Token);
        return this;
    }

    private Task<CommandResult<WatchOutputGrant>> RequestLeaseAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _requests.CallAsync<WatchOutputGrant>(
            _computer,
            RequestCommands.WatchOutput,
            RedisJson.Serialize(new WatchOutputArgs(_sessionId, (long)_options.WatchLease.TotalMilliseconds, _watchId)),
            data => RedisJson.TryDeserialize<WatchOutputGrant>(data) is { LeaseMs: > 0 } grant
                ? grant
                : new CommandError(CommandErrorKind.Unavailable, $"{_computer} answered watch_output without a lease."),
            timeout,
            cancellationToken);

    /// <summary>Renews the lease every third of it while the watch lasts; failures are retried at the next period.</summary>
    private async Task RenewAsync(TimeSpan lease, CancellationToken cancellationToken)
    {
        var period = Period(lease);
        using var timer = new PeriodicTimer(period, _time);
        var failing = false;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                CommandResult<WatchOutputGrant> renewed;
                try
                {
                    renewed = await RequestLeaseAsync(period, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Anything unexpected is one failed renewal too: the loop must outlive it, or the lease would lapse.
                    renewed = new CommandError(CommandErrorKind.Unavailable, ex.Message);
                }

                if (renewed.Value is { } grant)
                {
                    _counters.Increment(RedisCounters.WatchRenewals);
                    if (failing)
                    {
                        failing = false;
                        LogRenewalRecovered(_sessionId, _computer);
                    }

                    if (grant.New)
                    {
                        LogLeaseTakenAgain(_sessionId, _computer);
                    }

                    if (Period(TimeSpan.FromMilliseconds(grant.LeaseMs)) is var granted && granted != period)
                    {
                        period = granted;
                        timer.Period = period;
                    }

                    continue;
                }

                _counters.Increment(RedisCounters.WatchRenewalFailures);
                var error = renewed.Error!;
                if (error.Kind is CommandErrorKind.NotFound or CommandErrorKind.Conflict)
                {
                    // The session ended or is gone there: nothing will be written; clients learn it from the session events.
                    LogWatchEnded(_sessionId, _computer, error.Message);
                    return;
                }

                if (!failing)
                {
                    failing = true;
                    LogRenewalFailed(_sessionId, _computer, error.Message, period);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static TimeSpan Period(TimeSpan lease) => lease / 3 > TimeSpan.FromMilliseconds(100) ? lease / 3 : TimeSpan.FromMilliseconds(100);

    private async Task OnEntriesAsync(StreamEntry[] entries)
    {
        SessionOutput? newest = null;
        foreach (var entry in entries)
        {
            if (ScreenCodec.TryDecode(entry, _computer, _sessionId, out var output, out var problem))
            {
                newest = output;
                _counters.Increment(RedisCounters.ScreenEntriesReceived);
                _malformedStreak = false;
            }
            else
            {
                _counters.Increment(RedisCounters.MalformedScreens);
                if (!_malformedStreak)
                {
                    _malformedStreak = true;
                    LogMalformedScreen(entry.Id.ToString(), Stream.ToString(), problem);
                }
            }
        }

        if (newest is null || newest.Screen == _lastScreen || Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        _lastScreen = newest.Screen;
        await _onOutput(newest);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        await _renewing;
        _registration?.Dispose();
        _counters.Increment(RedisCounters.RemoteWatches, -1);
        var ended = await _requests.CallAsync<bool>(
            _computer,
            RequestCommands.UnwatchOutput,
            RedisJson.Serialize(new WatchOutputArgs(_sessionId, WatchId: _watchId)),
            static _ => new CommandResult<bool>(true, null),
            UnwatchTimeout,
            CancellationToken.None);
        if (ended.Error is { } error)
        {
            // The lease runs out on its own within one lease.
            LogUnwatchFailed(_sessionId, _computer, error.Message);
        }

        _stop.Dispose();
    }

    [LoggerMessage(EventId = 575, Level = LogLevel.Warning, Message = "Renewing the watch of session {SessionId} on {Computer} failed: {Reason} Retrying every {Period} while a client watches.")]
    private partial void LogRenewalFailed(string sessionId, string computer, string reason, TimeSpan period);

    [LoggerMessage(EventId = 576, Level = LogLevel.Information, Message = "The watch of session {SessionId} on {Computer} is renewed again.")]
    private partial void LogRenewalRecovered(string sessionId, string computer);

    [LoggerMessage(EventId = 577, Level = LogLevel.Warning, Message = "Skipped screen entry {EntryId} of {Stream}: {Problem}. Later bad entries in a row are counted (malformed_screens), not logged.")]
    private partial void LogMalformedScreen(string entryId, string stream, string problem);

    [LoggerMessage(EventId = 578, Level = LogLevel.Information, Message = "Stopped renewing the watch of session {SessionId} on {Computer}: {Reason}")]
    private partial void LogWatchEnded(string sessionId, string computer, string reason);

    [LoggerMessage(EventId = 579, Level = LogLevel.Debug, Message = "Telling {Computer} that nobody here watches session {SessionId} any more failed ({Reason}); its lease runs out by itself.")]
    private partial void LogUnwatchFailed(string sessionId, string computer, string reason);

    [LoggerMessage(EventId = 580, Level = LogLevel.Information, Message = "{Computer} had forgotten the watch of session {SessionId} (it restarted, or the lease ran out while it could not be renewed); it sends the current screen again.")]
    private partial void LogLeaseTakenAgain(string sessionId, string computer);
}
