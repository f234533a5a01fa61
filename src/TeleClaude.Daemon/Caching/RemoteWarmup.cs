using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Hubs;

namespace TeleClaude.Daemon.Caching;

/// <summary>
/// Interest-based activation of remote data: when a view gains its first subscriber, pull it from every
/// online peer once, in parallel; while a view has subscribers, pull it from each peer that comes online.
/// Events keep the cache current after that. With no subscriber nothing is pulled, except after a gap in the event
/// stream (<see cref="RepullSessionsAfterGap"/>).
/// </summary>
internal sealed partial class RemoteWarmup : BackgroundService
{
    private readonly InterestManager _interest;
    private readonly DaemonCache _cache;
    private readonly ILogger<RemoteWarmup> _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _gapWindow;
    private long _repullUntilTicks;
    private readonly ConcurrentDictionary<string, Task> _warmups = new(StringComparer.Ordinal);
    private readonly System.Threading.Channels.ChannelReader<CacheChange> _changes;

    public RemoteWarmup(InterestManager interest, DaemonCache cache, IOptions<CacheOptions> options, TimeProvider time, ILogger<RemoteWarmup> logger)
    {
        _interest = interest;
        _cache = cache;
        _logger = logger;
        _time = time;
        _gapWindow = options.Value.ComputerTtl;
        _changes = cache.Changes.Subscribe();
        _interest.InterestChanged += OnInterestChanged;
    }

    /// <summary>The initial pull of <paramref name="view"/> for the current period of interest (completed when there is none).</summary>
    public Task WhenWarmAsync(string view) => _warmups.TryGetValue(view, out var warmup) ? warmup : Task.CompletedTask;

    /// <summary>
    /// Session events may have been lost: pull every online peer's sessions now, and the sessions of each peer that
    /// comes online within one computer TTL (peers not seen yet, e.g. when the gap is found right after start).
    /// </summary>
    public void RepullSessionsAfterGap()
    {
        Interlocked.Exchange(ref _repullUntilTicks, (_time.GetUtcNow() + _gapWindow).UtcTicks);
        LogRepullAfterGap();
        _ = _cache.RefreshAllRemoteSessions();
    }

    private void ResyncAfterDroppedChanges()
    {
        foreach (var view in Views.All.Where(_interest.IsInterested))
        {
            LogResync(view);
            _ = _cache.RefreshAsync(view);
        }
    }

    private bool InGapWindow => _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _repullUntilTicks);

    private void OnInterestChanged(IReadOnlyList<string> views)
    {
        foreach (var view in Views.All)
        {
            if (views.Contains(view, StringComparer.Ordinal))
            {
                _warmups.GetOrAdd(view, v =>
                {
                    LogWarmup(v);
                    return _cache.RefreshAsync(v);
                });
            }
            else
            {
                _warmups.TryRemove(view, out _);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var online = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await foreach (var change in _changes.ReadAllAsync(stoppingToken))
            {
                if (change is ChangesDropped)
                {
                    // Missed changes may include peers coming online: start over from who is online now and pull
                    // every view of interest from all of them, as the first subscriber of a view does.
                    online = [.. _cache.OnlineRemoteComputers()];
                    ResyncAfterDroppedChanges();
                    continue;
                }

                if (change is not ComputerChanged { Computer.IsLocal: false } computer)
                {
                    continue;
                }

                if (computer.Computer.Status == ComputerStatus.Offline)
                {
                    online.Remove(computer.Computer.Name);
                }
                else if (online.Add(computer.Computer.Name))
                {
                    if (_interest.IsInterested(Views.Sessions) || InGapWindow)
                    {
                        _ = _cache.RefreshRemoteSessions(computer.Computer.Name);
                    }

                    if (_interest.IsInterested(Views.Preparation))
                    {
                        _ = _cache.RefreshRemoteProjectsAndTodos(computer.Computer.Name);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _interest.InterestChanged -= OnInterestChanged;
            _cache.Changes.Unsubscribe(_changes);
        }
    }

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Session events may have been lost: pulling every peer's sessions again.")]
    private partial void LogRepullAfterGap();

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "The change feed skipped changes (the warm-up fell behind): pulling {View} from every online peer again.")]
    private partial void LogResync(string view);

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "First subscriber of {View}: pulling it from every online peer.")]
    private partial void LogWarmup(string view);
}
