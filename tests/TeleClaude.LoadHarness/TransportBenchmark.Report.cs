using System.Globalization;
using System.Text;

namespace TeleClaude.LoadHarness;

/// <summary>The results: the tables on stdout.</summary>
internal static partial class TransportBenchmark
{
    private static void Print(TransportSettings settings, List<ClusterResult> results, List<IdleCpuRow> cpu, TimeSpan elapsed, string loadBefore, string loadAfter)
    {
        var inv = CultureInfo.InvariantCulture;
        var s = settings.SessionsPerRemote;
        var sb = new StringBuilder();
        sb.AppendLine("## Redis transport");
        sb.AppendLine();
        sb.AppendLine(inv, $"Machine: {MachineInfo.Describe()}");
        sb.AppendLine(inv, $"Run: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalSeconds:0} s in total; load average {loadBefore} before, {loadAfter} after.");
        sb.AppendLine(inv, $"Daemons (1 local + N remotes) share this process and one redis-server on loopback; heartbeat interval {HeartbeatInterval.TotalSeconds:0} s; {s} sessions per remote; hub protocol JSON.");
        sb.AppendLine();

        sb.AppendLine("### 1. Time to a full sessions view on the local daemon");
        sb.AppendLine();
        sb.AppendLine("| remotes | sessions in view | case | path | median ms | p99 ms | runs | note |");
        sb.AppendLine("|---:|---:|---|---|---:|---:|---:|---|");
        foreach (var row in results.SelectMany(r => r.Views))
        {
            var inView = row.Case == "all up" ? row.Remotes * s : (row.Remotes - 1) * s;
            sb.AppendLine(inv, $"| {row.Remotes} | {inView:N0} | {row.Case} | {row.Path} | {Stats.Median(row.SortedMs):0.0} | {Stats.Percentile(row.SortedMs, 99):0.0} | {row.SortedMs.Count} | {row.Note} |");
        }

        sb.AppendLine();
        sb.AppendLine("### 2. Cache path vs baseline (same run, medians)");
        sb.AppendLine();
        sb.AppendLine("| remotes | case | cache cold ms | baseline ms | cache / baseline |");
        sb.AppendLine("|---:|---|---:|---:|---:|");
        foreach (var result in results)
        {
            foreach (var @case in new[] { "all up", "1 down" })
            {
                var cache = result.Views.First(v => v.Case == @case && v.Path.EndsWith("cold", StringComparison.Ordinal));
                var baseline = result.Views.First(v => v.Case == @case && v.Path.StartsWith("baseline", StringComparison.Ordinal));
                var c = Stats.Median(cache.SortedMs);
                var b = Stats.Median(baseline.SortedMs);
                sb.AppendLine(inv, $"| {result.Views[0].Remotes} | {@case} | {c:0.0} | {b:0.0} | {c / b:0.00} |");
            }
        }

        sb.AppendLine();
        sb.AppendLine("### 3. Event latency: remote PATCH /sessions/{id} (title) to SessionUpdated on the local client");
        sb.AppendLine();
        sb.AppendLine("| remotes | events | median ms | p99 ms | max ms | p99 < 50 ms | of which REST PATCH round trip, median ms |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---|---:|");
        foreach (var e in results.Select(r => r.Events))
        {
            var p99 = Stats.Percentile(e.SortedMs, 99);
            sb.AppendLine(inv, $"| {e.Remotes} | {e.SortedMs.Count} | {Stats.Median(e.SortedMs):0.00} | {p99:0.00} | {e.SortedMs[^1]:0.00} | {(p99 < 50 ? "yes" : "no")} | {Stats.Median(e.SortedRestMs):0.00} |");
        }

        sb.AppendLine();
        sb.AppendLine(inv, $"### 4. Redis traffic with no client subscribed anywhere ({settings.IdleWindow.TotalSeconds:0} s window, heartbeat every {HeartbeatInterval.TotalSeconds:0} s)");
        sb.AppendLine();
        sb.AppendLine("| remotes | daemons | commands/min | per daemon per heartbeat | input bytes/min | extrapolated commands/min at the default 30 s heartbeat |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var t in results.Select(r => r.Traffic))
        {
            var perMinute = t.Commands * 60 / t.WindowSeconds;
            var heartbeats = t.Daemons * t.WindowSeconds / HeartbeatInterval.TotalSeconds;
            sb.AppendLine(inv, $"| {t.Remotes} | {t.Daemons} | {perMinute:N0} | {t.Commands / heartbeats:0.0} | {t.InputBytes * 60 / t.WindowSeconds:N0} | {perMinute * HeartbeatInterval.TotalSeconds / 30:N0} |");
        }

        sb.AppendLine();
        sb.AppendLine(inv, $"### 5. Idle CPU of one daemon (child process, 5 s after /health answers, {settings.IdleWindow.TotalSeconds:0} s window, both run side by side)");
        sb.AppendLine();
        sb.AppendLine("| setup | window s | CPU s (utime+stime) | CPU % of one core |");
        sb.AppendLine("|---|---:|---:|---:|");
        foreach (var row in cpu)
        {
            sb.AppendLine(inv, $"| {row.Setup} | {row.WindowSeconds:0.0} | {row.CpuSeconds:0.00} | {row.CpuPercentOfOneCore:0.00} |");
        }

        sb.AppendLine();
        sb.AppendLine("p99 is nearest-rank: with fewer than 100 samples it is the slowest one. Cold = the local cache holds no remote sessions and no client is subscribed,");
        sb.AppendLine("so Subscribe starts the warm-up pulls (in parallel, waited for at most SubscribeWait = 1 s); between runs the harness waits until every remote has seen");
        sb.AppendLine("the interest end. The all-up rows skip one warm-up round. Idle traffic excludes the harness's own INFO calls (calibrated at start).");
        Console.Out.Write(sb.ToString());
    }
}
