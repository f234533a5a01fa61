using System.Diagnostics;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Hubs;

namespace TeleClaude.LoadHarness;

/// <summary>Bounded waits the benchmarks share: a miss is a failure (an exception naming what was awaited), not a slow sample.</summary>
internal static class HarnessWaits
{
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Gave up after {timeout.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(10);
        }
    }

    public static async Task WaitForPushesToSettleAsync(HubCounters counters)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(5 * Stopwatch.Frequency);
        long Handled()
        {
            var snapshot = counters.Snapshot(0);
            return snapshot["pushes"] + snapshot["push_failures"];
        }

        var last = Handled();
        var quiet = 0;
        while (quiet < 2 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(25);
            var now = Handled();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }

    /// <summary>Waits until <paramref name="local"/> sees every remote online and every remote sees it online (heartbeats went round).</summary>
    public static async Task UntilAllOnlineAsync(BenchDaemon local, IReadOnlyList<BenchDaemon> remotes, TimeSpan timeout)
    {
        await WaitUntilAsync(
            () => remotes.All(r => local.Get<DaemonCache>().OnlineRemoteComputers().Contains(r.Name)),
            timeout,
            $"the local daemon sees all {remotes.Count} remotes online");
        await WaitUntilAsync(
            () => remotes.All(r => r.Get<DaemonCache>().OnlineRemoteComputers().Contains(local.Name)),
            timeout,
            "every remote sees the local daemon online");
    }
}
