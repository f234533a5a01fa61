using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TeleClaude.Daemon.Sessions;

internal static class SessionsExtensions
{
    /// <summary>Sessions as tmux sessions, and the monitor that keeps their records current.</summary>
    public static IServiceCollection AddSessionRunner(this IServiceCollection services)
    {
        services.AddOptions<SessionRunnerOptions>().BindConfiguration(SessionRunnerOptions.SectionName).ValidateOnStart()
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.IdleAfter > TimeSpan.Zero, "TeleClaude:Sessions:PollInterval and IdleAfter must be positive.")
            .Validate(o => o.OutputLines is >= 1 and <= 2000, "TeleClaude:Sessions:OutputLines must be between 1 and 2000.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.TmuxSocketName), "TeleClaude:Sessions:TmuxSocketName must not be empty.");
        services.TryAddSingleton<TmuxRunner>();
        services.AddHostedService<SessionMonitor>();
        return services;
    }
}
