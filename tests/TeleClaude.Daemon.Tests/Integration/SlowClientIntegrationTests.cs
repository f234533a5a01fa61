using System.Net.WebSockets;
using System.Text;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Integration;

/// <summary>A subscriber that stops reading must not slow the pushes to everyone else.</summary>
[TestFixture]
[CancelAfter(60_000)]
internal sealed class SlowClientIntegrationTests
{
    [Test]
    public async Task StalledSubscriber_DoesNotHoldUpPushesToOthers()
    {
        await using var daemon = await DaemonProcess.StartAsync("slowpoke");
        using var rest = daemon.Rest();
        var session = await daemon.CreateSessionAsync("Big outputs");

        // A raw SignalR client: handshake, subscribe, then never read again.
        using var stalled = new ClientWebSocket();
        using var invoker = new HttpMessageInvoker(UnixSocketHttp.CreateHandler(daemon.SocketPath));
        await stalled.ConnectAsync(new Uri("ws://localhost" + HubRoutes.Sessions), invoker, CancellationToken.None);
        await SendFrameAsync(stalled, "{\"protocol\":\"json\",\"version\":1}");
        await SendFrameAsync(stalled, "{\"type\":1,\"target\":\"Subscribe\",\"arguments\":[\"sessions\"]}");

        var (hub, pushes) = await daemon.ConnectAsync(HubProtocolKind.MessagePack);
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        await Eventually.ThatAsync(async () => (await rest.DiagnosticsAsync()).Groups[Views.Sessions] == 2, "both clients subscribed");

        // 60 pushes of ~60 KB each: far more than the stalled connection's buffers hold.
        var big = new string('x', 60_000);
        for (var i = 0; i < 60; i++)
        {
            await rest.UpdateSessionAsync(session.SessionId, new UpdateSessionRequest(Title: $"update {i}", LastOutput: big + i));
        }

        var last = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionUpdated), s => s.Title == "update 59");
        Assert.That(last.SessionId, Is.EqualTo(session.SessionId));
        Assert.That((await rest.DiagnosticsAsync()).Counters["pushes_in_flight"], Is.GreaterThan(0), "the stalled client really stalled: its writes are still queued");
    }

    private static Task SendFrameAsync(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json + "\u001e"), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
}
