using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TeleClaude.Daemon.Projects;

internal static class ProjectsExtensions
{
    /// <summary>Run-time projects: their SQLite table, the add/remove commands, and loading them on start.</summary>
    public static IServiceCollection AddProjects(this IServiceCollection services)
    {
        services.TryAddSingleton<ProjectCatalog>();
        services.TryAddSingleton<AddedProjectStore>();
        services.TryAddSingleton<ProjectCommands>();

        // Registered after the session store: hosted services start in order, so the schema is migrated first.
        services.AddHostedService<AddedProjectsLoader>();
        return services;
    }
}

/// <summary>Loads the added projects into the catalog before the daemon serves requests.</summary>
internal sealed class AddedProjectsLoader(ProjectCatalog catalog, AddedProjectStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) => catalog.SetAdded(await store.ListAsync(cancellationToken));

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
