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
        services.AddHubPushes();
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
        services.TryAddSingleton<RemoteOutputWatchers>();
        services.AddHostedService<HubPushService>();
        return services;
    }

    /// <summary>Bounded pushes: one outbox per client behind SignalR's group sends (<see cref="PushLifetimeManager"/>).</summary>
    private static IServiceCollection AddHubPushes(this IServiceCollection services)
    {
        services.AddOptions<PushOptions>().BindConfiguration(PushOptions.SectionName).ValidateOnStart()
            .Validate(static o => o.MaxQueuedPerClient >= 1 && o.MaxQueued >= o.MaxQueuedPerClient,
                "TeleClaude:Pushes:MaxQueuedPerClient must be at least 1 and TeleClaude:Pushes:MaxQueued at least as large.")
            .Validate(static o => o.MaxQueuedBytesPerClient >= 64 * 1024, "TeleClaude:Pushes:MaxQueuedBytesPerClient must be at least 65536.")
            .Validate(static o => o.ShutdownDrainTimeout >= TimeSpan.Zero, "TeleClaude:Pushes:ShutdownDrainTimeout must not be negative.");
        services.TryAddSingleton<PushLifetimeManager>();
        // A closed registration wins over AddSignalR's open generic DefaultHubLifetimeManager<>.
        services.TryAddSingleton<HubLifetimeManager<SessionsHub>>(static sp => sp.GetRequiredService<PushLifetimeManager>());
        return services;
    }

    public static IEndpointRouteBuilder MapSessionsHub(this IEndpointRouteBuilder routes)
    {
        routes.MapHub<SessionsHub>(HubRoutes.Sessions);
        return routes;
    }
}
