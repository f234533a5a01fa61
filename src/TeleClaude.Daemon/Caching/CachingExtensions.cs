using Microsoft.Extensions.DependencyInjection.Extensions;
using TeleClaude.Daemon.Computers;
using TeleClaude.Daemon.Projects;

namespace TeleClaude.Daemon.Caching;

internal static class CachingExtensions
{
    /// <summary>The cache, its change feed, and what it reads local data from. Without Redis there is no remote source.</summary>
    public static IServiceCollection AddDaemonCache(this IServiceCollection services)
    {
        services.TryAddSingleton<CacheChangeFeed>();
        services.TryAddSingleton<DaemonCache>();
        services.TryAddSingleton<IRemoteDataSource, NoRemoteDataSource>();
        services.TryAddSingleton<ProjectCatalog>();
        services.TryAddSingleton<LocalComputer>();
        services.AddHostedService<LocalComputerMonitor>();
        services.TryAddSingleton<RemoteWarmup>();
        services.AddHostedService(sp => sp.GetRequiredService<RemoteWarmup>());
        return services;
    }
}
