using System.Globalization;
using System.Text;

namespace TeleClaude.LoadHarness;

/// <summary>The results: the tables on stdout.</summary>
internal static partial class CriteriaBenchmark
{
    private static void Print(CriteriaSettings settings, List<ClusterResult> results, TimeSpan elapsed, string loadBefore, string loadAfter)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
        static string F(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

        sb.AppendLine("## Success criteria");
        sb.AppendLine();
        sb.AppendLine(inv, $"Machine: {MachineInfo.Describe()}");
        sb.AppendLine(inv, $"Run: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalSeconds:0} s in total; load average {loadBefore} before, {loadAfter} after.");
        sb.AppendLine(inv, $"Daemons (1 local + N remotes) share this process and one redis-server on loopback; heartbeat every {HeartbeatInterval.TotalSeconds:0} s; hub protocol JSON; "
            + $"each remote: {settings.SessionsPerRemote} sessions (tmux, `sleep infinity` agent) and one project with a {TodosPerProject}-item todos/roadmap.md.");
        sb.AppendLine(inv, $"Setup per cluster (daemon start, session creation, all online): {string.Join(", ", results.Select(r => string.Create(inv, $"N={r.Remotes}: {r.SetupSeconds:0} s")))}.");
        sb.AppendLine();

        sb.AppendLine(inv, $"### 1a. Sessions view load (new client connect + Subscribe(\"sessions\") until it holds all N × {settings.SessionsPerRemote} remote sessions)");
        sb.AppendLine();
        sb.AppendLine("| remotes | sessions | case | median ms | p99 ms | runs | note |");
        sb.AppendLine("|---:|---:|---|---:|---:|---:|---|");
        foreach (var row in results.SelectMany(r => r.Preparation).Where(p => p.Case.StartsWith("sessions", StringComparison.Ordinal)))
        {
            sb.AppendLine(inv, $"| {row.Remotes} | {row.Remotes * settings.SessionsPerRemote:N0} | {row.Case["sessions ".Length..]} | {F(Stats.Median(row.TotalMs))} | {F(Stats.Percentile(row.TotalMs, 99))} | {row.TotalMs.Count} | {row.Note} |");
        }

        sb.AppendLine();
        sb.AppendLine("### 1b. Preparation view load (new client connect + Subscribe(\"preparation\") until every remote project shows its 10 todos)");
        sb.AppendLine();
        sb.AppendLine("| remotes | projects × todos | case | median ms | p99 ms | of which Subscribe → full view, median ms | runs | p99 < 500 ms | note |");
        sb.AppendLine("|---:|---:|---|---:|---:|---:|---:|---|---|");
        foreach (var row in results.SelectMany(r => r.Preparation).Where(p => p.Case is "cold" or "warm"))
        {
            var p99 = Stats.Percentile(row.TotalMs, 99);
            sb.AppendLine(inv, $"| {row.Remotes} | {row.Remotes} × {TodosPerProject} | {row.Case} | {F(Stats.Median(row.TotalMs))} | {F(p99)} | {F(Stats.Median(row.SubscribeMs))} | {row.TotalMs.Count} | {(p99 < 500 ? "yes" : "no")} | {row.Note} |");
        }

        sb.AppendLine();
        sb.AppendLine("### 1c. Manual refresh (the TUI's 'r'): hub Refresh(view) on an already subscribed client, until the call returns");
        sb.AppendLine();
        sb.AppendLine("| remotes | view | median ms | p99 ms | runs | what it does |");
        sb.AppendLine("|---:|---|---:|---:|---:|---|");
        foreach (var row in results.SelectMany(r => r.Preparation).Where(p => p.Case.StartsWith("refresh", StringComparison.Ordinal)))
        {
            sb.AppendLine(inv, $"| {row.Remotes} | {row.Case["refresh ".Length..]} | {F(Stats.Median(row.TotalMs))} | {F(Stats.Percentile(row.TotalMs, 99))} | {row.TotalMs.Count} | {row.Note} |");
        }

        sb.AppendLine();
        sb.AppendLine(inv, $"### 2. Event latency at sustained rates (remote DaemonCache.PublishLocalSession(session_updated) → SessionUpdated on the local hub client; {settings.RateWindow.TotalSeconds:0} s per rate)");
        sb.AppendLine();
        sb.AppendLine("| remotes | target /s | events | achieved /s | received | missing | median ms | p99 ms | p99.9 ms | max ms | all < 1 s |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var row in results.SelectMany(r => r.Rates))
        {
            AppendRate(sb, row);
        }

        sb.AppendLine();
        sb.AppendLine(inv, $"### 3. Fan-out: K hub clients subscribed to sessions on the local daemon ({settings.FanOutEvents} events at {settings.FanOutRate}/s after 10 warm-up)");
        sb.AppendLine();
        sb.AppendLine("| remotes | clients K | events | reached all K | to the first client, median ms | to the LAST client, median ms | p99 ms | max ms |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in results.SelectMany(r => r.FanOut))
        {
            if (row.LastMs.Count == 0)
            {
                sb.AppendLine(inv, $"| {row.Remotes} | {row.Clients} | {row.Events} | 0 | - | - | - | - |");
                continue;
            }

            sb.AppendLine(inv, $"| {row.Remotes} | {row.Clients} | {row.Events} | {row.CompleteEvents} | {F(Stats.Median(row.FirstMs))} | {F(Stats.Median(row.LastMs))} | {F(Stats.Percentile(row.LastMs, 99))} | {F(row.LastMs[^1])} |");
        }

        sb.AppendLine();
        sb.AppendLine("### 4. Memory");
        sb.AppendLine();
        sb.AppendLine(inv, $"Local daemon as a child process (`dotnet TeleClaude.Daemon.dll`, server GC, same Redis, joined to the N in-process remotes), VmRSS; under load = {MemoryRate} events/s for {settings.RateWindow.TotalSeconds:0} s to one subscribed client (after 100 warm-up events at 50/s):");
        sb.AppendLine();
        sb.AppendLine("| remotes | RSS at rest MiB | subscribed, N×S sessions cached, MiB | peak under 100/s MiB | 1 s after MiB | CPU at rest, % of a core | CPU under 100/s, % of a core | that run: received / sent | median ms | p99 ms |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var m in results.Select(r => r.Memory))
        {
            var c = m.ChildRate;
            sb.AppendLine(inv, $"| {m.Remotes} | {Mib(m.ChildRest)} | {Mib(m.ChildSubscribed)} | {Mib(m.ChildPeakLoad)} | {Mib(m.ChildAfterLoad)} | {m.ChildCpuRestPercent:0.0} | {m.ChildCpuLoadPercent:0.0} | {c.Received} / {c.Sent} | {(c.LatencyMs.Count > 0 ? F(Stats.Median(c.LatencyMs)) : "-")} | {(c.LatencyMs.Count > 0 ? F(Stats.Percentile(c.LatencyMs, 99)) : "-")} |");
        }

        sb.AppendLine();
        sb.AppendLine("The harness process itself (1 + N daemons, the clients and the harness), after a full GC with every daemon up and no client:");
        sb.AppendLine();
        sb.AppendLine("| remotes | daemons | working set MiB | GC heap MiB | working set / daemon MiB | GC heap / daemon MiB | peak working set during the 100/s run MiB |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var m in results.Select(r => r.Memory))
        {
            var d = m.Remotes + 1;
            sb.AppendLine(inv, $"| {m.Remotes} | {d} | {Mib(m.HarnessWorkingSet)} | {Mib(m.HarnessGcHeap)} | {Mib(m.HarnessWorkingSet / d)} | {Mib(m.HarnessGcHeap / d)} | {(m.HarnessPeakWorkingSetAt100 > 0 ? Mib(m.HarnessPeakWorkingSetAt100) : "-")} |");
        }

        sb.AppendLine();
        sb.AppendLine("### 5. Growth with N (medians unless noted)");
        sb.AppendLine();
        var maxK = settings.Clients.Max();
        sb.AppendLine(inv, $"| remotes | sessions | preparation cold ms | preparation warm ms | event @100/s ms | event @100/s p99 ms | event @{settings.Rates.Max()}/s p99 ms | fan-out K={maxK}, last client ms | child RSS rest MiB | child RSS peak @100/s MiB |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var cold = r.Preparation.First(p => p.Case == "cold").TotalMs;
            var warm = r.Preparation.First(p => p.Case == "warm").TotalMs;
            var at100 = r.Rates.FirstOrDefault(x => x.TargetRate == 100)?.LatencyMs ?? r.Memory.ChildRate.LatencyMs;
            var atMax = r.Rates.First(x => x.TargetRate == settings.Rates.Max()).LatencyMs;
            var fan = r.FanOut.First(f => f.Clients == maxK).LastMs;
            string P(List<double> l, double? p = null) => l.Count == 0 ? "-" : F(p is { } q ? Stats.Percentile(l, q) : Stats.Median(l));
            sb.AppendLine(inv, $"| {r.Remotes} | {r.Remotes * r.SessionsPerRemote:N0} | {P(cold)} | {P(warm)} | {P(at100)} | {P(at100, 99)} | {P(atMax, 99)} | {P(fan)} | {Mib(r.Memory.ChildRest)} | {Mib(r.Memory.ChildPeakLoad)} |");
        }

        sb.AppendLine();
        sb.AppendLine("### 6. Where one event's time goes (sequential events, one in flight, after 20 warm-up)");
        sb.AppendLine();
        sb.AppendLine("| remotes | stage | median ms | p90 ms | share of the end-to-end median |");
        sb.AppendLine("|---:|---|---:|---:|---:|");
        foreach (var p in results.Select(r => r.Profile))
        {
            var total = p.Stages[^1].Ms.Count > 0 ? Stats.Median(p.Stages[^1].Ms) : double.NaN;
            foreach (var stage in p.Stages)
            {
                if (stage.Ms.Count == 0)
                {
                    sb.AppendLine(inv, $"| {p.Remotes} | {stage.Stage} | - | - | - |");
                    continue;
                }

                var median = Stats.Median(stage.Ms);
                sb.AppendLine(inv, $"| {p.Remotes} | {stage.Stage} | {F(median)} | {F(Stats.Percentile(stage.Ms, 90))} | {100 * median / total:0}% |");
            }

            sb.AppendLine(inv, $"| {p.Remotes} | reference: one XADD round trip from the harness (180 samples) | {F(Stats.Median(p.XaddRoundTripMs))} | {F(Stats.Percentile(p.XaddRoundTripMs, 90))} | |");
        }

        sb.AppendLine();
        sb.AppendLine("Percentiles are nearest-rank (p99 of 5 runs is the slowest). Latencies are Stopwatch timestamps in one process: taken just before");
        sb.AppendLine("PublishLocalSession on the remote and first thing in the client's handler (after deserialization). Stage medians need not add up");
        sb.AppendLine("to the end-to-end median. The entry is seen by an extra harness connection blocked in XREAD on the stream, at about the time the local daemon's reader sees it.");
        Console.Out.Write(sb.ToString());
    }

    private static void AppendRate(StringBuilder sb, RateRow row)
    {
        var inv = CultureInfo.InvariantCulture;
        static string F(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);
        var l = row.LatencyMs;
        var missing = row.Sent - row.Received;
        var dup = row.Duplicates > 0 ? string.Create(inv, $" (+{row.Duplicates} dup)") : "";
        if (l.Count == 0)
        {
            sb.AppendLine(inv, $"| {row.Remotes} | {row.TargetRate} | {row.Sent} | {row.AchievedRate:0} | 0 | {missing} | - | - | - | - | no |");
            return;
        }

        sb.AppendLine(inv, $"| {row.Remotes} | {row.TargetRate} | {row.Sent} | {row.AchievedRate:0} | {row.Received}{dup} | {missing} | {F(Stats.Median(l))} | {F(Stats.Percentile(l, 99))} | {F(Stats.Percentile(l, 99.9))} | {F(l[^1])} | {(missing == 0 && l[^1] < 1000 ? "yes" : "no")} |");
    }
}
