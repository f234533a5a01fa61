using System.Net.WebSockets;
using System.Text;
using TeleClaude.Client;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// A raw SignalR client over a WebSocket on the daemon's socket that does the handshake, subscribes to a view, and then
/// never reads again while it keeps sending pings, so the server never times it out: the client that falls behind.
/// </summary>
internal sealed class StalledHubClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly HttpMessageInvoker _invoker;
    private readonly CancellationTokenSource _stop = new();
    private Task _pinging = Task.CompletedTask;

    private StalledHubClient(string socketPath) => _invoker = new HttpMessageInvoker(UnixSocketHttp.CreateHandler(socketPath));

    public static async Task<StalledHubClient> ConnectAsync(string socketPath, string view, CancellationToken cancellationToken)
    {
        var client = new StalledHubClient(socketPath);
        await client._socket.ConnectAsync(new Uri("ws://localhost" + HubRoutes.Sessions), client._invoker, cancellationToken);
        await client.SendAsync("{\"protocol\":\"json\",\"version\":1}", cancellationToken);
        await client.SendAsync($"{{\"type\":1,\"target\":\"Subscribe\",\"arguments\":[\"{view}\"]}}", cancellationToken);
        client._pinging = client.PingAsync();
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pinging;
        _socket.Abort();
        _socket.Dispose();
        _invoker.Dispose();
        _stop.Dispose();
    }

    private async Task PingAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(100, _stop.Token);
                await SendAsync("{\"type\":6}", _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // Stopped, or the server closed the connection: either way the pinging is over.
        }
    }

    private Task SendAsync(string json, CancellationToken cancellationToken) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json + "\u001e"), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
}
