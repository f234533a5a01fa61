using System.Diagnostics;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Sessions;

/// <summary>When a pane is captured (debounced and paced) and where its screen goes: watchers, listeners, the state tracker.</summary>
internal sealed partial class OutputWatcher
{
    private void Schedule(Pane pane)
    {
        if (pane.Scheduled)
        {
            return;
        }

        pane.Scheduled = true;
        var interval = _audience.Follows(pane.SessionId) || tracker.WantsFastScreen(pane.SessionId)
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
        if (_audience.HasWatchers(pane.SessionId) && screen != pane.LastPushed)
        {
            pane.LastPushed = screen;
            _audience.PushToWatchers(new SessionOutput(pane.SessionId, daemon.Value.ComputerName, screen, capturedAt));
        }

        _audience.HandToListeners(pane.SessionId, daemon.Value.ComputerName, screen, capturedAt);

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
}
