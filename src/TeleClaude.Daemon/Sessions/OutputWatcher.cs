using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Agents;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Hubs;
using TeleClaude.Daemon.Resilience;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Sessions;

/// <summary>
/// Follows every session's terminal with ONE tmux control-mode client, without polling. Each session's window is
/// linked into the watch session the client is attached to, so tmux tells it about output in any of them
/// (<c>%output</c>), about windows that close (<c>%window-close</c>: the agent exited) and about sessions that come
/// and go (<c>%sessions-changed</c>). A pane is captured (through the same client: no process per capture) only
/// after it changed, debounced and paced: every <see cref="SessionRunnerOptions.WatchInterval"/> while someone
/// watches it or it waits for the user, every <see cref="SessionRunnerOptions.OutputInterval"/> otherwise. The
/// captured screen goes to the state tracker (last_output, screen-based status) and to the session's watchers.
/// A client that dies is started again with backoff, and a re-sync (link, reconcile, capture every pane) follows
/// every start, so nothing that matters is missed while it was away.
/// </summary>
internal sealed partial class OutputWatcher(
    TmuxRunner tmux,
    SessionStore store,
    AgentStateTracker tracker,
    IHubContext<SessionsHub, ISessionsClient> hub,
    AgentCounters counters,
    IOptions<SessionRunnerOptions> options,
    IOptions<DaemonOptions> daemon,
    TimeProvider time,
    ILogger<OutputWatcher> logger) : BackgroundService
{
    private const string PlaceholderWindow = "_watch";

    /// <summary>How often, at most, a capture is retried for a pane whose session is not recorded yet.</summary>
    private const int UnrecordedRetries = 40;

    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, Pane> _byPane = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pane> _byWindow = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pane> _bySession = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _watchers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ImmutableArray<Action<SessionOutput>>> _listeners = new(StringComparer.Ordinal);
    private readonly SessionRunnerOptions _options = options.Value;
    private TmuxControlClient? _client;
    private bool _resyncQueued;

    private bool _subscribed;

    /// <summary>The SignalR group of a session's watchers.</summary>
    public static string WatchGroup(string sessionId) => "watch:" + sessionId;

    /// <summary>True while a control client is attached and following the panes.</summary>
    public bool Connected => _client is { Completion.IsCompleted: false };

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

    /// <summary>
    /// Hands every screen captured of <paramref name="sessionId"/> to <paramref name="onScreen"/> (changed or not: the
    /// listener compares), on the watcher's own loop, in capture order, until the result is disposed; meanwhile the pane
    /// is captured at the watch pace. For watchers that are not hub clients here (another computer's, over Redis).
    /// <paramref name="onScreen"/> must return at once.
    /// </summary>
    public IDisposable ListenToScreens(string sessionId, Action<SessionOutput> onScreen)
    {
        _listeners.AddOrUpdate(sessionId, _ => [onScreen], (_, list) => list.Add(onScreen));
        return new Listening(this, sessionId, onScreen);
    }

    /// <summary>Captures the session's pane soon (debounced and paced as any change), so its listeners get the current screen.</summary>
    public void CaptureSoon(string sessionId) => _work.Writer.TryWrite(new CaptureWanted(sessionId));

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

    /// <summary>
    /// The session's screen now (captured through the control client, so it is ordered with the pushes that follow);
    /// null when its terminal is gone.
    /// </summary>
    public async Task<string?> CaptureNowAsync(string sessionId, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Connected && _work.Writer.TryWrite(new CaptureRequest(sessionId, reply)))
        {
            return await reply.Task.WaitAsync(cancellationToken);
        }

        return await tmux.CaptureAsync(sessionId, _options.OutputLines, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_subscribed)
        {
            _subscribed = true;
            tracker.ScreenWanted += sessionId => _work.Writer.TryWrite(new ScreenWanted(sessionId));
        }

        var pipeline = Backoff.Forever("Following tmux in control mode", time, logger, _ => counters.ControlClientFailed());
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await pipeline.ExecuteAsync(FollowAsync, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Creates the watch session (and so the tmux server) before the daemon takes requests: two tmux clients that both
    /// find no server and start one at once (the watcher and the first POST /sessions) can fail with "server exited
    /// unexpectedly". A failure here is only logged; following retries it with backoff.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await tmux.EnsureWatchSessionAsync(cancellationToken);
        }
        catch (SessionRunnerException ex)
        {
            LogCaptureFailed(ex.Message);
        }

        await base.StartAsync(cancellationToken);
    }

    /// <summary>Stops following; a watch session left with no session to follow is removed, so no idle tmux server lingers.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            if ((await tmux.AliveAsync(cancellationToken)).Count == 0)
            {
                await tmux.KillWatchSessionAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is SessionRunnerException or OperationCanceledException)
        {
        }
    }

    /// <summary>One control client's life: attach, re-sync, then react to tmux until the client goes away.</summary>
    private async ValueTask FollowAsync(CancellationToken cancellationToken)
    {
        await tmux.EnsureWatchSessionAsync(cancellationToken);
        TmuxControlClient client;
        using (await tmux.HoldNewSessionsAsync(cancellationToken))
        {
            // No session is created until the client has answered a first command: tmux 3.3a can crash otherwise.
            client = TmuxControlClient.Start(tmux.SocketName, TmuxRunner.WatchSession, line => _work.Writer.TryWrite(new Notification(line)), cancellationToken);
            try
            {
                await client.CommandAsync("display-message -p attached", cancellationToken).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }
            catch
            {
                await client.DisposeAsync();
                throw;
            }
        }

        await using var _ = client;
        _client = client;
        try
        {
            counters.ControlClientStarted();
            ClearPanes();
            await ResyncAsync(client, reconcileStore: true, cancellationToken);
            LogFollowing(tmux.SocketName);
            var exited = client.Completion;
            while (!exited.IsCompleted)
            {
                var next = _work.Reader.WaitToReadAsync(cancellationToken).AsTask();
                if (await Task.WhenAny(next, exited) == exited)
                {
                    break;
                }

                while (_work.Reader.TryRead(out var work))
                {
                    await HandleAsync(client, work, cancellationToken);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw new TmuxControlException($"The tmux control client exited{(client.Errors is { Length: > 0 } e ? ": " + e : "")}.");
        }
        finally
        {
            _client = null;
        }
    }

    private async Task HandleAsync(TmuxControlClient client, Work work, CancellationToken cancellationToken)
    {
        try
        {
            switch (work)
            {
                case Notification { Line: var line }:
                    await OnNotificationAsync(line, cancellationToken);
                    break;
                case CaptureDue { Pane: var pane }:
                    await CaptureAsync(client, pane, cancellationToken);
                    break;
                case ScreenWanted { SessionId: var sessionId } when _bySession.TryGetValue(sessionId, out var wanted):
                    wanted.LastScreen = null; // hand the next capture to the tracker even if the screen did not change
                    Schedule(wanted);
                    break;
                case CaptureWanted { SessionId: var sessionId } when _bySession.TryGetValue(sessionId, out var pane):
                    // A capture already due at the slow pace is brought forward to the watch pace.
                    pane.Scheduled = false;
                    Schedule(pane);
                    break;
                case ResyncDue:
                    _resyncQueued = false;
                    await ResyncAsync(client, reconcileStore: true, cancellationToken);
                    break;
                case CaptureRequest request:
                    request.Reply.TrySetResult(_bySession.TryGetValue(request.SessionId, out var watched)
                        ? await CaptureAsync(client, watched, cancellationToken)
                        : await tmux.CaptureAsync(request.SessionId, _options.OutputLines, cancellationToken));
                    break;
            }
        }
        catch (TmuxControlException ex) when (work is CaptureDue or CaptureRequest)
        {
            // A pane that vanished between the notification and the capture: its window-close follows.
            (work as CaptureRequest)?.Reply.TrySetResult(null);
            LogCaptureFailed(ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && work is CaptureRequest request)
        {
            request.Reply.TrySetException(ex);
            throw;
        }
    }

    private async Task OnNotificationAsync(string line, CancellationToken cancellationToken)
    {
        if (line.StartsWith("%output ", StringComparison.Ordinal))
        {
            // "%output %<pane> <data>": only which pane changed matters; the screen is captured later.
            var end = line.IndexOf(' ', 8);
            var paneId = end < 0 ? line[8..] : line[8..end];
            if (_byPane.TryGetValue(paneId, out var pane))
            {
                counters.OutputNotified();
                Schedule(pane);
            }
        }
        else if (line.StartsWith("%window-close ", StringComparison.Ordinal) || line.StartsWith("%unlinked-window-close ", StringComparison.Ordinal))
        {
            var windowId = line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..].Trim();
            if (_byWindow.TryGetValue(windowId, out var pane))
            {
                Forget(pane);
                await tracker.OnTerminalGoneAsync(pane.SessionId, cancellationToken);
            }
        }
        else if (line.StartsWith("%sessions-changed", StringComparison.Ordinal) && !_resyncQueued)
        {
            _resyncQueued = true;
            _work.Writer.TryWrite(new ResyncDue());
        }
    }

    /// <summary>
    /// Links every session's window into the watch session, learns which pane belongs to which session, captures
    /// panes not seen before, and ends records (and unlinks windows) whose terminal is gone.
    /// </summary>
    private async Task ResyncAsync(TmuxControlClient client, bool reconcileStore, CancellationToken cancellationToken)
    {
        var lines = await client.CommandAsync("list-panes -a -F '#{session_name} #{window_id} #{pane_id} #{window_name}'", cancellationToken);
        var sessions = new Dictionary<string, (string Window, string Pane)>(StringComparer.Ordinal);
        var watchWindows = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var parts = line.Split(' ', 4);
            if (parts.Length < 3)
            {
                continue;
            }

            if (parts[0] == TmuxRunner.WatchSession)
            {
                if (parts.Length < 4 || parts[3] != PlaceholderWindow)
                {
                    watchWindows.Add(parts[1]);
                }
            }
            else if (TmuxRunner.SessionIdOf(parts[0]) is { } sessionId)
            {
                sessions.TryAdd(sessionId, (parts[1], parts[2]));
            }
        }

        foreach (var (sessionId, (window, paneId)) in sessions)
        {
            if (!watchWindows.Contains(window))
            {
                await client.CommandAsync($"link-window -d -s {window} -t ={TmuxRunner.WatchSession}:", cancellationToken);
            }

            if (!_bySession.ContainsKey(sessionId))
            {
                var pane = new Pane(sessionId, paneId, window);
                _bySession[sessionId] = pane;
                _byPane[paneId] = pane;
                _byWindow[window] = pane;
                Schedule(pane);
            }
        }

        // Windows left in the watch session whose own session was killed (kill-session only unlinks a linked window).
        var live = sessions.Values.Select(s => s.Window).ToHashSet(StringComparer.Ordinal);
        foreach (var orphan in watchWindows.Where(w => !live.Contains(w)))
        {
            await client.CommandAsync($"kill-window -t {orphan}", cancellationToken);
        }

        foreach (var gone in _bySession.Values.Where(p => !sessions.ContainsKey(p.SessionId)).ToArray())
        {
            Forget(gone);
            await tracker.OnTerminalGoneAsync(gone.SessionId, cancellationToken);
        }

        if (reconcileStore)
        {
            foreach (var session in await store.ListAsync(includeTerminated: false, cancellationToken))
            {
                if (!sessions.ContainsKey(session.SessionId) && !Pending(session))
                {
                    await tracker.OnTerminalGoneAsync(session.SessionId, cancellationToken);
                    LogReconciled(session.SessionId);
                }
            }
        }
    }

    // A record written a moment ago whose tmux session is being created right now is not gone: CreateSession starts
    // the terminal first, so only records older than a few seconds without a terminal are ended.
    private bool Pending(SessionInfo session) => time.GetUtcNow() - (session.CreatedAt ?? DateTimeOffset.MinValue) < TimeSpan.FromSeconds(2)
        && session.Status == SessionStatus.Starting;

    private void Schedule(Pane pane)
    {
        if (pane.Scheduled)
        {
            return;
        }

        pane.Scheduled = true;
        var interval = _watchers.ContainsKey(pane.SessionId) || _listeners.ContainsKey(pane.SessionId) || tracker.WantsFastScreen(pane.SessionId)
            ? _options.WatchInterval
            : _options.OutputInterval;
        var sinceLast = pane.LastCapture == 0 ? TimeSpan.MaxValue : time.GetElapsedTime(pane.LastCapture);
        var delay = sinceLast >= interval ? _options.OutputDebounce : Max(_options.OutputDebounce, interval - sinceLast);
        pane.Timer?.Dispose();
        pane.Timer = time.CreateTimer(static state => ((OutputWatcher)((object[])state!)[0]).Due((Pane)((object[])state!)[1]), new object[] { this, pane }, delay, Timeout.InfiniteTimeSpan);
    }

    private void Due(Pane pane) => _work.Writer.TryWrite(new CaptureDue(pane));

    private async Task<string?> CaptureAsync(TmuxControlClient client, Pane pane, CancellationToken cancellationToken)
    {
        pane.Scheduled = false;
        if (!_byPane.ContainsKey(pane.PaneId))
        {
            return null;
        }

        pane.LastCapture = time.GetTimestamp();
        var started = Stopwatch.GetTimestamp();
        var lines = await client.CommandAsync($"capture-pane -p -J -t {pane.PaneId} -S -{_options.OutputLines}", cancellationToken);
        counters.Captured(Stopwatch.GetElapsedTime(started));
        var screen = string.Join('\n', lines).TrimEnd();
        var capturedAt = time.GetUtcNow();
        if (_watchers.ContainsKey(pane.SessionId) && screen != pane.LastPushed)
        {
            pane.LastPushed = screen;
            var output = new SessionOutput(pane.SessionId, daemon.Value.ComputerName, screen, capturedAt);
            counters.OutputPushed();
            _ = hub.Clients.Group(WatchGroup(pane.SessionId)).SessionOutput(output).ContinueWith(
                static (push, state) => ((OutputWatcher)state!).LogPushFailed(push.Exception!.InnerException ?? push.Exception),
                this, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        if (_listeners.TryGetValue(pane.SessionId, out var listeners))
        {
            var output = new SessionOutput(pane.SessionId, daemon.Value.ComputerName, screen, capturedAt);
            foreach (var listener in listeners)
            {
                try
                {
                    listener(output);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPushFailed(ex);
                }
            }
        }

        if (screen != pane.LastScreen)
        {
            pane.LastScreen = screen;
            var recorded = await tracker.OnScreenAsync(pane.SessionId, screen, cancellationToken);
            if (!recorded && pane.UnrecordedRetries++ < UnrecordedRetries)
            {
                // The terminal exists before its record (CreateSession starts tmux first): look again shortly.
                pane.LastScreen = null;
                Schedule(pane);
            }
        }

        return screen;
    }

    private void Forget(Pane pane)
    {
        pane.Timer?.Dispose();
        _byPane.Remove(pane.PaneId);
        _byWindow.Remove(pane.WindowId);
        _bySession.Remove(pane.SessionId);
    }

    private void ClearPanes()
    {
        foreach (var pane in _bySession.Values.ToArray())
        {
            Forget(pane);
        }

        _resyncQueued = false;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed class Pane(string sessionId, string paneId, string windowId)
    {
        public string SessionId { get; } = sessionId;

        public string PaneId { get; } = paneId;

        public string WindowId { get; } = windowId;

        public bool Scheduled { get; set; }

        public long LastCapture { get; set; }

        public string? LastScreen { get; set; }

        public string? LastPushed { get; set; }

        public int UnrecordedRetries { get; set; }

        public ITimer? Timer { get; set; }
    }

    private abstract record Work;

    private sealed record Notification(string Line) : Work;

    private sealed record CaptureDue(Pane Pane) : Work;

    private sealed record ResyncDue : Work;

    private sealed record ScreenWanted(string SessionId) : Work;

    private sealed record CaptureRequest(string SessionId, TaskCompletionSource<string?> Reply) : Work;

    private sealed record CaptureWanted(string SessionId) : Work;

    private sealed class Listening(OutputWatcher watcher, string sessionId, Action<SessionOutput> onScreen) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                watcher.StopListening(sessionId, onScreen);
            }
        }
    }

    [LoggerMessage(EventId = 612, Level = LogLevel.Information, Message = "Following the sessions of tmux server '{Socket}' through one control-mode client.")]
    private partial void LogFollowing(string socket);

    [LoggerMessage(EventId = 611, Level = LogLevel.Information, Message = "Session {SessionId} has no tmux session any more; marked terminated.")]
    private partial void LogReconciled(string sessionId);

    [LoggerMessage(EventId = 613, Level = LogLevel.Debug, Message = "Capturing a pane failed: {Reason}")]
    private partial void LogCaptureFailed(string reason);

    [LoggerMessage(EventId = 614, Level = LogLevel.Warning, Message = "Pushing a session's screen to its watchers failed.")]
    private partial void LogPushFailed(Exception exception);
}
