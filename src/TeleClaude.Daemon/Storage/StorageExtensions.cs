using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TeleClaude.Daemon.Storage;

internal static class StorageExtensions
{
    /// <summary>Registers the SQLite session store and migrates its schema before the server starts.</summary>
    public static IServiceCollection AddSessionStore(this IServiceCollection services)
    {
        services.TryAddSingleton<SessionStore>();
        services.AddHostedService<SessionStoreMigrator>();
        return services;
    }

    private sealed class SessionStoreMigrator(SessionStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
