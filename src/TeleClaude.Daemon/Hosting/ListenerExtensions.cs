using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Hosting;

internal static class ListenerExtensions
{
    /// <summary>
    /// Kestrel listens on the Unix socket (REST and hub together) and, when configured, on one loopback
    /// TCP address for tools. The socket lives in a 0700 directory and is made 0600 once bound.
    /// </summary>
    public static WebApplicationBuilder AddDaemonListeners(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<UnixSocketFile>();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<DaemonOptions>>(static (kestrel, daemon) =>
        {
            var options = daemon.Value;
            kestrel.ListenUnixSocket(options.SocketPath);
            if (!string.IsNullOrEmpty(options.TcpUrl))
            {
                var uri = new Uri(options.TcpUrl);
                kestrel.Listen(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port);
            }

            kestrel.AddServerHeader = false;
        });
        return builder;
    }
}
