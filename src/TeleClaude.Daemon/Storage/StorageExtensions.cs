using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Storage;

internal static class StorageExtensions
{
    /// <summary>
    /// The SQLite session store: checked and migrated before the server starts, its health reported to /health (and to
    /// any code that asks <see cref="StorageHealth"/>), and probed while writes fail.
    /// </summary>
    public static IServiceCollection AddSessionStore(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateOnStart()
            .Validate(static o => o.ProbeInterval > TimeSpan.Zero, "TeleClaude:Storage:ProbeInterval must be a positive duration such as 00:00:05.");
        services.TryAddSingleton(static sp => new StorageHealth(
            sp.GetRequiredService<IOptions<DaemonOptions>>().Value.DatabasePath,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<StorageHealth>>()));
        services.TryAddSingleton<SessionStore>();
        services.AddHostedService<SessionStoreMigrator>();
        services.AddHostedService<StorageProbe>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        return services;
    }

    private sealed class SessionStoreMigrator(SessionStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
