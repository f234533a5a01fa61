using System.Net.Sockets;
using Microsoft.AspNetCore.SignalR.Client;
using TeleClaude.Client;
using TeleClaude.Contracts;
using Telec.Cli;

namespace Telec.Connection;

/// <summary>
/// Owns the hub connection: connects (retrying every 2 s while the daemon is down), subscribes to both views,
/// follows SignalR's automatic reconnects and subscribes again after each. Runs entirely off the UI thread;
/// state changes go to <paramref name="statusChanged"/>, which marshals them itself.
/// </summary>
internal sealed class HubConnector(string socketPath, ISessionsClient receiver, Action<ConnectionStatus> statusChanged) : IAsyncDisposable
{
    public static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stop = new();
    private SessionsHubClient? _hub;
    private Task _loop = Task.CompletedTask;
    private TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

    private async Task RunAsync(CancellationToken stop)
    {
        var everConnected = false;
        statusChanged(new ConnectionStatus(ConnectionState.Connecting));
        while (!stop.IsCancellationRequested)
        {
            _hub ??= CreateHub();
            _closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                await _hub.StartAsync(stop);
                await SubscribeAsync(_hub);
                everConnected = true;
                statusChanged(new ConnectionStatus(ConnectionState.Connected));

                // SignalR reconnects on its own (Reconnecting/Reconnected); only a final close comes back here.
                await _closed.Task.WaitAsync(stop);
                statusChanged(new ConnectionStatus(ConnectionState.Reconnecting, "Connection to the daemon closed; reconnecting."));
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
                statusChanged(new ConnectionStatus(everConnected ? ConnectionState.Reconnecting : ConnectionState.Disconnected, problem));
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
        var hub = SessionsHubClient.Create(socketPath, receiver, HubProtocolKind.MessagePack, reconnect: true);
        hub.Connection.Reconnecting += error =>
        {
            statusChanged(new ConnectionStatus(ConnectionState.Reconnecting, "Connection to the daemon lost; reconnecting."));
            _ = CutShortReconnectWaitAsync(hub, _stop.Token);
            return Task.CompletedTask;
        };
        hub.Connection.Reconnected += async connectionId =>
        {
            // A new connection is in no group yet: subscribe again; each Subscribe pushes the view's full state.
            try
            {
                await SubscribeAsync(hub);
                statusChanged(new ConnectionStatus(ConnectionState.Connected));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                statusChanged(new ConnectionStatus(ConnectionState.Reconnecting, $"Resubscribing failed: {ex.Message}"));

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

    private static async Task SubscribeAsync(SessionsHubClient hub)
    {
        // In parallel: the sessions state need not wait for the preparation pulls (up to SubscribeWait).
        await Task.WhenAll(hub.Subscribe(Views.Sessions), hub.Subscribe(Views.Preparation));
    }
}
