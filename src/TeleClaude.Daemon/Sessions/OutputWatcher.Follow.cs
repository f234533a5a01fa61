using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Sessions;

/// <summary>One control client's life and the loop that handles its notifications: attach, re-sync (link, reconcile, capture), react.</summary>
internal sealed partial class OutputWatcher
{
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

    private abstract record Work;

    private sealed record Notification(string Line) : Work;

    private sealed record CaptureDue(Pane Pane) : Work;

    private sealed record ResyncDue : Work;

    private sealed record ScreenWanted(string SessionId) : Work;

    private sealed record CaptureRequest(string SessionId, TaskCompletionSource<string?> Reply) : Work;

    private sealed record CaptureWanted(string SessionId) : Work;
}
