using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Hosting;

/// <summary>
/// Regression: a client that reconnects at once (telec's and the dashboard's first retry) used to open a new hub connection
/// after SignalR had closed them all for shutdown, and the daemon then waited 30 s (the host's shutdown timeout) before
/// exiting. From the stop signal on, new requests are refused.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
internal sealed class StoppingGateIntegrationTests
{
    [Test]
    public async Task RequestsAfterTheStopSignal_Get503WithConnectionClose(CancellationToken cancellationToken)
    {
        await using var daemon = await DaemonProcess.StartAsync();
        using var rest = daemon.Rest();
        Assert.That((await rest.HealthAsync(cancellationToken)).Status, Is.EqualTo("ok"), "serving before the signal");

        // The signal alone (what SIGTERM raises first); the host has not stopped the server yet.
        daemon.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        using var http = new HttpClient(TeleClaude.Client.UnixSocketHttp.CreateHandler(daemon.SocketPath)) { BaseAddress = TeleClaude.Client.UnixSocketHttp.BaseAddress };
        using var negotiate = await http.PostAsync("hubs/sessions/negotiate?negotiateVersion=1", null, cancellationToken);
        Assert.That(negotiate.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(negotiate.Headers.ConnectionClose, Is.True);
        Assert.That(negotiate.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
    }
}
