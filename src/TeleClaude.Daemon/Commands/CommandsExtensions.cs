using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TeleClaude.Daemon.Commands;

internal static class CommandsExtensions
{
    /// <summary>The shared command handlers every adapter calls.</summary>
    public static IServiceCollection AddDaemonCommands(this IServiceCollection services)
    {
        services.TryAddSingleton<DaemonCommands>();
        return services;
    }
}
