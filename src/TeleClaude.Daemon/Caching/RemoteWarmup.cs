using System.Collections.Concurrent;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Hubs;

namespace TeleClaude.Daemon.Caching;

/// <summary>
/// Interest-based activation of remote data: when a view gains its first subscriber, pull it from every
/// online peer once, in parallel; while a view has subscribers, pull it from each peer that comes online.
/// Events keep the cache current after that. With no subscriber nothing is pulled.
/// </summary>
internal sealed partial class RemoteWarmup : BackgroundService
{
    private readonly InterestManager _interest;
    private readonly DaemonCache _cache;
    private readonly ILogger<RemoteWarmup> _logger;
    private readonly ConcurrentDictionary<string, Task> _warmups = new(StringComparer.Ordinal);
    private readonly System.Threading.Channels.ChannelReader<CacheChange> _changes;

    public RemoteWarmup(InterestManager interest, DaemonCache cache, ILogger<RemoteWarmup> logger)
    {
        _interest = interest;
        _cache = cache;
        _logger = logger;
        _changes = cache.Changes.Subscribe();
        _interest.InterestChanged += OnInterestChanged;
    }

    /// <summary>The initial pull of <paramref name="view"/> for the current period of interest (completed when there is none).</summary>
    public Task WhenWarmAsync(string view) => _warmups.TryGetValue(view, out var warmup) ? warmup : Task.CompletedTask;

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
                    if (_interest.IsInterested(Views.Sessions))
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

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "First subscriber of {View}: pulling it from every online peer.")]
    private partial void LogWarmup(string view);
}
