using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Hosting;

internal static class ListenerExtensions
{
    /// <summary>
    /// Kestrel listens on the Unix socket (REST and hub together) and, when configured, on one loopback
    /// TCP address for tools. The socket lives in a 0700 directory and is made 0600 once bound; every connection
    /// to it must come from the daemon's own user (<see cref="UnixPeerGate"/>). Who may use the TCP listener is
    /// up to <see cref="SecurityExtensions.UseDaemonSecurity"/> (Host, Origin, token).
    /// </summary>
    public static WebApplicationBuilder AddDaemonListeners(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<UnixSocketFile>();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<DaemonOptions>>(static (kestrel, daemon) =>
        {
            var options = daemon.Value;
            kestrel.ListenUnixSocket(options.SocketPath, static unix => unix.UsePeerCredentialCheck());
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
