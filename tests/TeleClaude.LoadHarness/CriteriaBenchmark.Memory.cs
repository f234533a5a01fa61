using System.Diagnostics;
using System.Globalization;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;

namespace TeleClaude.LoadHarness;

/// <summary>Memory (and CPU) of a local daemon in a child process, and of the harness.</summary>
internal static partial class CriteriaBenchmark
{
    private static async Task<MemoryRow> ChildMemoryAsync(HarnessRedis redis, List<BenchDaemon> remotes, Publisher publisher, int n, CriteriaSettings settings)
    {
        Progress($"{n} remotes: memory, a local daemon as a child process joins the cluster");
        await using var child = await ChildDaemon.StartAsync(ChildName, redis.Configuration, HeartbeatInterval);
        using var rest = child.Rest();
        await HarnessWaits.WaitUntilAsync(
            () => remotes.All(r => r.Get<DaemonCache>().OnlineRemoteComputers().Contains(ChildName)),
            InterestTimeout,
            "every remote sees the child daemon online");
        var deadline = Stopwatch.GetTimestamp() + (long)(InterestTimeout.TotalSeconds * Stopwatch.Frequency);
        while ((await rest.ListComputersAsync().WaitAsync(WaitTimeout)).Count(c => !c.IsLocal && c.Status == ComputerStatus.Online) < n)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"The child daemon did not see all {n} remotes online within {InterestTimeout.TotalSeconds:0} s.");
            }

            await Task.Delay(100);
        }

        // At rest: joined, no client, heartbeats only.
        var cpuRest = await CpuPercentAsync(child.ProcessId, () => Task.Delay(TimeSpan.FromSeconds(3)));
        var rssRest = child.ResidentBytes();

        var receiver = new EventReceiver();
        var client = SessionsHubClient.Create(child.SocketPath, receiver);
        await using (client)
        {
            await client.StartAsync().WaitAsync(WaitTimeout);
            await client.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
            await receiver.FirstState.WaitAsync(WaitTimeout);
            await WaitForInterestAsync(remotes, ChildName, interested: true);
            await Task.Delay(TimeSpan.FromSeconds(1));
            var rssSubscribed = child.ResidentBytes();

            var count = (int)Math.Round(MemoryRate * settings.RateWindow.TotalSeconds);
            Progress($"{n} remotes: memory, {count} events at {MemoryRate}/s to the child daemon");
            await RunEventsAsync(publisher, [receiver], string.Create(CultureInfo.InvariantCulture, $"memwarm{n}#"), 100, 50);
            using var sampler = new PeakSampler(child.ResidentBytes);
            (long[] PublishTs, double AchievedRate) run = ([], 0);
            var cpuLoad = await CpuPercentAsync(child.ProcessId, async () =>
                run = await RunEventsAsync(publisher, [receiver], string.Create(CultureInfo.InvariantCulture, $"mem{n}#"), count, MemoryRate));
            var (publishTs, achieved) = run;
            var peak = await sampler.StopAsync();
            await Task.Delay(TimeSpan.FromSeconds(1));
            var rssAfter = child.ResidentBytes();
            var rate = new RateRow(n, MemoryRate, count, receiver.Received, receiver.Duplicates, achieved, Latencies(publishTs, receiver.Arrivals));
            return new MemoryRow(n, 0, 0, 0, rssRest, rssSubscribed, Math.Max(peak, rssAfter), rssAfter, rate, cpuRest, cpuLoad);
        }
    }

    /// <summary>CPU of process <paramref name="pid"/> (utime+stime from /proc) while <paramref name="window"/> runs, in % of one core.</summary>
    private static async Task<double> CpuPercentAsync(int pid, Func<Task> window)
    {
        var ticksPerSecond = IdleCpuProbe.ClockTicksPerSecond();
        var before = IdleCpuProbe.CpuTicks(pid);
        var clock = Stopwatch.StartNew();
        await window();
        var seconds = clock.Elapsed.TotalSeconds;
        return 100.0 * (IdleCpuProbe.CpuTicks(pid) - before) / ticksPerSecond / seconds;
    }

    private static (long WorkingSet, long GcHeap) HarnessMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        // Heap size after that collection (GC.GetTotalMemory gave implausible values with server GC here).
        return (Environment.WorkingSet, GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes);
    }

    /// <summary>Samples a value every 100 ms until stopped; returns the largest.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<long> _loop;

        public PeakSampler(Func<long> sample)
        {
            _loop = Task.Run(async () =>
            {
                var peak = sample();
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(100, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    peak = Math.Max(peak, sample());
                }

                return peak;
            });
        }

        public async Task<long> StopAsync()
        {
            await _stop.CancelAsync();
            return await _loop.WaitAsync(TimeSpan.FromSeconds(10));
        }

        public void Dispose() => _stop.Dispose();
    }
}
