using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TeleClaude.Web.Tests.Infrastructure;

/// <summary>
/// Another web site on this machine (a real loopback server, so the browser treats it as it would a local dev server or a
/// rebinding page, not as an unknown network): one empty page, from which a test runs scripts against the daemon.
/// </summary>
internal sealed class ForeignSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ForeignSite(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<ForeignSite> StartAsync()
    {
        var port = RedisServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/", () => Results.Content("<!doctype html><p>another site</p>", "text/html"));
        await app.StartAsync();
        return new ForeignSite(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
