using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Hubs;

internal static class HubExtensions
{
    /// <summary>SignalR with the JSON (snake_case) and MessagePack protocols, interest tracking and the push loop.</summary>
    public static IServiceCollection AddSessionsHub(this IServiceCollection services)
    {
        services.AddSignalR()
            .AddJsonProtocol(o => TeleClaudeJsonContext.Configure(o.PayloadSerializerOptions))
            .AddMessagePackProtocol();
        services.AddOptions<HubOptions>().Configure<IOptions<DaemonOptions>>(static (hub, daemon) =>
        {
            hub.MaximumReceiveMessageSize = daemon.Value.MaximumHubMessageSize;
            // Clients get the message of a failed invocation (e.g. "Invocation provides 2 argument(s) but target
            // expects 1"), never a stack trace; the socket is the user's own (0600), so the message leaks nothing.
            hub.EnableDetailedErrors = true;
        });
        services.TryAddSingleton<InterestManager>();
        services.TryAddSingleton<HubCounters>();
        services.AddHostedService<HubPushService>();
        return services;
    }

    public static IEndpointRouteBuilder MapSessionsHub(this IEndpointRouteBuilder routes)
    {
        routes.MapHub<SessionsHub>(HubRoutes.Sessions);
        return routes;
    }
}
