using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TeleClaude.Daemon.Sessions;

internal static class SessionsExtensions
{
    /// <summary>Sessions as tmux sessions, and the watcher that follows their output through tmux control mode.</summary>
    public static IServiceCollection AddSessionRunner(this IServiceCollection services)
    {
        services.AddOptions<SessionRunnerOptions>().BindConfiguration(SessionRunnerOptions.SectionName).ValidateOnStart()
            .Validate(o => o.IdleAfter > TimeSpan.Zero, "TeleClaude:Sessions:IdleAfter must be positive.")
            .Validate(o => o.OutputDebounce >= TimeSpan.Zero && o.OutputDebounce <= TimeSpan.FromSeconds(5), "TeleClaude:Sessions:OutputDebounce must be between 0 and 00:00:05.")
            .Validate(o => o.WatchInterval > TimeSpan.Zero && o.OutputInterval > TimeSpan.Zero, "TeleClaude:Sessions:WatchInterval and OutputInterval must be positive.")
            .Validate(o => o.SubmitCheckAfter >= TimeSpan.FromMilliseconds(500) && o.SubmitCheckAfter <= TimeSpan.FromSeconds(60), "TeleClaude:Sessions:SubmitCheckAfter must be between 00:00:00.5 and 00:01:00.")
            .Validate(o => o.SubmitDelay >= TimeSpan.Zero && o.SubmitDelay <= TimeSpan.FromSeconds(2), "TeleClaude:Sessions:SubmitDelay must be between 0 and 00:00:02.")
            .Validate(o => o.OutputLines is >= 1 and <= 2000, "TeleClaude:Sessions:OutputLines must be between 1 and 2000.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.TmuxSocketName), "TeleClaude:Sessions:TmuxSocketName must not be empty.");
        services.TryAddSingleton<TmuxRunner>();
        services.TryAddSingleton<OutputWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutputWatcher>());
        return services;
    }
}
