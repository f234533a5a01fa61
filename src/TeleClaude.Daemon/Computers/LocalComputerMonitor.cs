using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Computers;

/// <summary>Samples this computer's stats every heartbeat interval and tells the cache (which tells clients).</summary>
internal sealed partial class LocalComputerMonitor(
    LocalComputer local,
    DaemonCache cache,
    IOptions<DaemonOptions> options,
    TimeProvider time,
    ILogger<LocalComputerMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        do
        {
            try
            {
                cache.UpdateLocalComputer(local.Sample());
            }
            catch (Exception ex)
            {
                LogSampleFailed(ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Sampling local system stats failed; will retry next interval.")]
    private partial void LogSampleFailed(Exception exception);
}
