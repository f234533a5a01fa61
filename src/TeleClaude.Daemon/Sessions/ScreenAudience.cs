using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.AspNetCore.SignalR;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Agents;
using TeleClaude.Daemon.Hubs;

namespace TeleClaude.Daemon.Sessions;

/// <summary>
/// Who watches a session's screen, and handing them a captured one: hub connections here (pushed to the session's
/// watch group, only when the screen changed) and in-process listeners (another computer's watchers over Redis,
/// handed every screen). Hub methods register and leave on their own threads while the watcher's loop delivers.
/// </summary>
internal sealed partial class ScreenAudience(IHubContext<SessionsHub, ISessionsClient> hub, AgentCounters counters, ILogger logger)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _watchers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ImmutableArray<Action<SessionOutput>>> _listeners = new(StringComparer.Ordinal);

    /// <summary>True when a hub connection or a listener follows the session: its pane is captured at the watch pace.</summary>
    public bool Follows(string sessionId) => _watchers.ContainsKey(sessionId) || _listeners.ContainsKey(sessionId);

    /// <summary>True when a hub connection here watches the session.</summary>
    public bool HasWatchers(string sessionId) => _watchers.ContainsKey(sessionId);

    /// <summary>Registers <paramref name="connectionId"/> as a watcher of <paramref name="sessionId"/>.</summary>
    public void AddWatcher(string connectionId, string sessionId)
    {
        _watchers.GetOrAdd(sessionId, static _ => new(StringComparer.Ordinal))[connectionId] = 0;
        counters.WatchersChanged(_watchers.Sum(w => w.Value.Count));
    }

    /// <summary>Removes a watcher; returns the sessions <paramref name="connectionId"/> no longer watches.</summary>
    public IReadOnlyList<string> RemoveWatcher(string connectionId, string? sessionId = null)
    {
        var removed = new List<string>();
        foreach (var (id, connections) in _watchers)
        {
            if ((sessionId is null || id == sessionId) && connections.TryRemove(connectionId, out _))
            {
                removed.Add(id);
                if (connections.IsEmpty)
                {
                    _watchers.TryRemove(new KeyValuePair<string, ConcurrentDictionary<string, byte>>(id, connections));
                }
            }
        }

        counters.WatchersChanged(_watchers.Sum(w => w.Value.Count));
        return removed;
    }

    /// <summary>Hands every screen of <paramref name="sessionId"/> to <paramref name="onScreen"/> until the result is disposed.</summary>
    public IDisposable Listen(string sessionId, Action<SessionOutput> onScreen)
    {
        _listeners.AddOrUpdate(sessionId, _ => [onScreen], (_, list) => list.Add(onScreen));
        return new Listening(this, sessionId, onScreen);
    }

    /// <summary>Pushes a screen to the session's hub watchers (without waiting; a failed push is logged).</summary>
    public void PushToWatchers(SessionOutput output)
    {
        counters.OutputPushed();
        _ = hub.Clients.Group(OutputWatcher.WatchGroup(output.SessionId)).SessionOutput(output).ContinueWith(
            static (push, state) => LogPushFailed((ILogger)state!, push.Exception!.InnerException ?? push.Exception),
            logger, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Hands a screen to every listener of the session, if any; a listener that throws is logged and the rest still get it.</summary>
    public void HandToListeners(string sessionId, string computer, string screen, DateTimeOffset capturedAt)
    {
        if (!_listeners.TryGetValue(sessionId, out var listeners))
        {
            return;
        }

        var output = new SessionOutput(sessionId, computer, screen, capturedAt);
        foreach (var listener in listeners)
        {
            try
            {
                listener(output);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPushFailed(logger, ex);
            }
        }
    }

    private void StopListening(string sessionId, Action<SessionOutput> onScreen)
    {
        while (_listeners.TryGetValue(sessionId, out var list))
        {
            var rest = list.Remove(onScreen);
            if (rest.IsEmpty ? _listeners.TryRemove(new KeyValuePair<string, ImmutableArray<Action<SessionOutput>>>(sessionId, list)) : _listeners.TryUpdate(sessionId, rest, list))
            {
                return;
            }
        }
    }

    private sealed class Listening(ScreenAudience audience, string sessionId, Action<SessionOutput> onScreen) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                audience.StopListening(sessionId, onScreen);
            }
        }
    }

    [LoggerMessage(EventId = 614, Level = LogLevel.Warning, Message = "Pushing a session's screen to its watchers failed.")]
    private static partial void LogPushFailed(ILogger logger, Exception exception);
}
