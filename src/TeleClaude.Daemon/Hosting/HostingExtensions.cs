namespace TeleClaude.Daemon.Hosting;

internal static class HostingExtensions
{
    /// <summary>
    /// The host-level fault policy. Every background service of the daemon retries its own faults (Resilience/Backoff);
    /// one that still ends with an exception is a bug, and a daemon with a dead loop would serve stale data while saying
    /// it is fine. So such a crash stops the host, and <see cref="DaemonRunner"/> exits with
    /// <see cref="ExitCodes.ServiceFailed"/> and one line naming the service, for the service manager to restart it.
    /// </summary>
    public static WebApplicationBuilder AddDaemonHosting(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<HostOptions>(static o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);
        return builder;
    }
}
