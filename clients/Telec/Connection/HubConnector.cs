using System.Net.Sockets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using TeleClaude.Client;
using TeleClaude.Contracts;
using Telec.Cli;
using Telec.Diagnostics;

namespace Telec.Connection;

/// <summary>
/// Owns the hub connection: connects (retrying every 2 s while the daemon is down), subscribes to both views, follows
/// SignalR's automatic reconnects and subscribes again after each, and keeps watching the one session the preview
/// shows (again after each reconnect). Runs entirely off the UI thread; state changes go to
/// <paramref name="statusChanged"/>, which marshals them itself.
/// </summary>
internal sealed class HubConnector(string socketPath, ISessionsClient receiver, Action<ConnectionStatus> statusChanged) : IAsyncDisposable
{
    public static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _watchGate = new(1, 1);
    private SessionsHubClient? _hub;
    private Task _loop = Task.CompletedTask;
    private TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _watched;
    private volatile ConnectionStatus _status = new(ConnectionState.Connecting);

    /// <summary>The latest status (a UI that starts later reads it here).</summary>
    public ConnectionStatus Status => _status;

    /// <summary>Reports why watching the preview's session failed (session id, message), e.g. a daemon without the watcher.</summary>
    public event Action<string, string>? WatchFailed;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Asks the daemon to re-pull the view and push its full state again.</summary>
    public async Task RefreshAsync(string view)
    {
        if (_hub is { Connection.State: HubConnectionState.Connected } hub)
        {
            await hub.Refresh(view);
        }
        else
        {
            throw new InvalidOperationException("not connected to the daemon");
        }
    }

    /// <summary>
    /// Makes <paramref name="sessionId"/> the one watched session (null: none): unwatches the previous one, watches this one.
    /// Remembered across reconnects. Failures go to <see cref="WatchFailed"/>; the call itself never throws.
    /// </summary>
    public async Task WatchAsync(string? sessionId)
    {
        await _watchGate.WaitAsync(_stop.Token);
        try
        {
            if (_watched == sessionId)
            {
                return;
            }

            var previous = _watched;
            _watched = sessionId;
            if (_hub is not { Connection.State: HubConnectionState.Connected } hub)
            {
                return;
            }

            if (previous is not null)
            {
                await InvokeWatchAsync(hub, previous, watch: false);
            }

            if (sessionId is not null)
            {
                await InvokeWatchAsync(hub, sessionId, watch: true);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _watchGate.Release();
        }
    }

    /// <summary>
    /// Asks the daemon again to watch the session the preview shows, after a watch it refused for a reason that may have
    /// passed (the session's computer was offline). Failures go to <see cref="WatchFailed"/>; the call itself never throws.
    /// </summary>
    public async Task RewatchAsync()
    {
        await _watchGate.WaitAsync(_stop.Token);
        try
        {
            if (_watched is { } watched && _hub is { Connection.State: HubConnectionState.Connected } hub)
            {
                await InvokeWatchAsync(hub, watched, watch: true);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _watchGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
        }

        if (_hub is { } hub)
        {
            await hub.DisposeAsync();
        }

        _stop.Dispose();
    }

    private void Report(ConnectionStatus status)
    {
        _status = status;
        statusChanged(status);
    }

    private async Task InvokeWatchAsync(SessionsHubClient hub, string sessionId, bool watch)
    {
        try
        {
            await (watch ? hub.Watch(sessionId) : hub.Unwatch(sessionId));
        }
        catch (Exception ex) when (ex is HubException or InvalidOperationException or IOException)
        {
            if (watch)
            {
                // SignalR prefixes the daemon's own words with "An unexpected error occurred invoking ... HubException: ".
                var message = ex.Message;
                var own = message.LastIndexOf("HubException: ", StringComparison.Ordinal);
                WatchFailed?.Invoke(sessionId, own >= 0 ? message[(own + "HubException: ".Length)..] : message);
            }
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var everConnected = false;
        Report(new ConnectionStatus(ConnectionState.Connecting));
        while (!stop.IsCancellationRequested)
        {
            _hub ??= CreateHub();
            _closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                StartupTrace.Mark("hub start");
                await _hub.StartAsync(stop);
                StartupTrace.Mark("hub connected");
                await SubscribeAsync(_hub);
                everConnected = true;
                Report(new ConnectionStatus(ConnectionState.Connected));

                // SignalR reconnects on its own (Reconnecting/Reconnected); only a final close comes back here.
                await _closed.Task.WaitAsync(stop);
                Report(new ConnectionStatus(ConnectionState.Reconnecting, "Connection to the daemon closed; reconnecting."));
                continue;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (_hub.Connection.State != HubConnectionState.Disconnected)
                {
                    await _hub.Connection.StopAsync(CancellationToken.None);
                }

                var problem = DaemonUnreachable.Message(socketPath, ex) + " " + DaemonUnreachable.StartHint + " Retrying every 2 s.";
                Report(new ConnectionStatus(everConnected ? ConnectionState.Reconnecting : ConnectionState.Disconnected, problem));
            }

            try
            {
                await Task.Delay(RetryEvery, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private SessionsHubClient CreateHub()
    {
        // JSON: the protocol the native build carries (MessagePack needs run-time code generation).
        var hub = SessionsHubClient.Create(socketPath, receiver, HubProtocolKind.Json, reconnect: true);
        hub.Connection.Reconnecting += error =>
        {
            Report(new ConnectionStatus(ConnectionState.Reconnecting, "Connection to the daemon lost; reconnecting."));
            _ = CutShortReconnectWaitAsync(hub, _stop.Token);
            return Task.CompletedTask;
        };
        hub.Connection.Reconnected += async connectionId =>
        {
            // A new connection is in no group yet: subscribe again; each Subscribe pushes the view's full state.
            try
            {
                await SubscribeAsync(hub);
                Report(new ConnectionStatus(ConnectionState.Connected));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Report(new ConnectionStatus(ConnectionState.Reconnecting, $"Resubscribing failed: {ex.Message}"));

                // Not awaited inside the handler: the close brings the retry loop back to a fresh start.
                _ = hub.Connection.StopAsync();
            }
        };
        hub.Connection.Closed += _ =>
        {
            _closed.TrySetResult();
            return Task.CompletedTask;
        };
        return hub;
    }

    /// <summary>
    /// SignalR's retry delays grow to 10 and 30 s. While it waits, probe the socket every 2 s; once the daemon
    /// accepts connections again, stop the reconnecting connection so the loop above starts it afresh at once.
    /// </summary>
    private async Task CutShortReconnectWaitAsync(SessionsHubClient hub, CancellationToken stop)
    {
        try
        {
            while (hub.Connection.State == HubConnectionState.Reconnecting)
            {
                await Task.Delay(RetryEvery, stop);
                if (hub.Connection.State == HubConnectionState.Reconnecting && await SocketAcceptsAsync(stop))
                {
                    await hub.Connection.StopAsync(stop);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task<bool> SocketAcceptsAsync(CancellationToken stop)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), stop);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task SubscribeAsync(SessionsHubClient hub)
    {
        // In parallel: the sessions state need not wait for the preparation pulls (up to SubscribeWait).
        await Task.WhenAll(hub.Subscribe(Views.Sessions), hub.Subscribe(Views.Preparation));
        StartupTrace.Mark("subscribed");

        // A new connection watches nothing: watch the preview's session again.
        if (_watched is { } watched)
        {
            await InvokeWatchAsync(hub, watched, watch: true);
        }
    }
}
