using System.Diagnostics;
using System.Globalization;
using System.Text;
using TeleClaude.Client;
using TeleClaude.Contracts;

namespace TeleClaude.LoadHarness;

/// <summary>Settings of one <c>soak</c> run.</summary>
internal sealed record SoakSettings(int Rate, int Minutes, int Sessions);

/// <summary>
/// The soak run of docs/reliability.md: two daemons in their own processes (<c>dotnet TeleClaude.Daemon.dll</c>, as a user
/// runs them) on one real redis-server, and a SignalR client in this process subscribed to the sessions view of daemon A.
/// The harness changes sessions on daemon B through its REST API (<c>PATCH /sessions/{id}</c>, a unique title each) at a
/// fixed rate for the whole run; every change travels B's SQLite write, change feed, emitter, Redis stream, A's receiver,
/// cache, push loop and outbox to the client. Reported per minute: changes sent and received, changes lost (answered by B
/// but never pushed by A within a grace period after the last), latency (PATCH sent to push handled) p50/p99/max, and each
/// daemon's resident memory and CPU; at the end, both daemons' health and their push and Redis counters.
/// </summary>
internal static class SoakBenchmark
{
    private const string Prefix = "soak-";
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(5);

    private sealed record Sample(double AtSeconds, long RssA, long RssB, long CpuTicksA, long CpuTicksB);

    public static async Task RunAsync(SoakSettings settings)
    {
        var total = settings.Rate * settings.Minutes * 60;
        var loadBefore = MachineInfo.LoadAverage();
        var startedAt = DateTimeOffset.UtcNow;
        var scratch = Directory.CreateTempSubdirectory("tcb-soak-");
        // The children read no user configuration file but this empty one (ChildDaemon passes the environment on).
        Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", scratch.FullName);
        var project = Directory.CreateDirectory(Path.Combine(scratch.FullName, "project")).FullName;
        string[] tmux = [$"tc-soak-a-{scratch.Name}", $"tc-soak-b-{scratch.Name}"];
        try
        {
            Progress("starting redis-server");
            await using var redis = await HarnessRedis.StartAsync();
            Progress("starting daemons A and B as child processes");
            await using var a = await ChildDaemon.StartAsync("soak-a", redis.Configuration, HeartbeatInterval, extraArgs: DaemonArgs(project, tmux[0]));
            await using var b = await ChildDaemon.StartAsync("soak-b", redis.Configuration, HeartbeatInterval, extraArgs: DaemonArgs(project, tmux[1]));
            using var restA = a.Rest();
            using var restB = b.Rest();

            Progress($"creating {settings.Sessions} sessions on B (tmux, `sleep infinity` agent)");
            var sessions = new List<SessionInfo>();
            for (var i = 0; i < settings.Sessions; i++)
            {
                sessions.Add(await restB.CreateSessionAsync(new CreateSessionRequest(project, $"soak session {i}", "claude")).WaitAsync(WaitTimeout));
            }

            var receiver = new EventReceiver();
            await using var client = SessionsHubClient.Create(a.SocketPath, receiver);
            await client.StartAsync().WaitAsync(WaitTimeout);
            await client.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
            await receiver.FirstState.WaitAsync(WaitTimeout);
            await WarmUpAsync(restB, receiver, sessions[0]);

            var ticksPerSecond = IdleCpuProbe.ClockTicksPerSecond();
            var samples = new List<Sample>();
            var clock = Stopwatch.StartNew();
            Sample Take() => new(clock.Elapsed.TotalSeconds, a.ResidentBytes(), b.ResidentBytes(), IdleCpuProbe.CpuTicks(a.ProcessId), IdleCpuProbe.CpuTicks(b.ProcessId));
            samples.Add(Take());
            using var stopSampling = new CancellationTokenSource();
            var sampling = SampleAsync(samples, Take, stopSampling.Token);

            Progress($"soak: {total} changes at {settings.Rate}/s for {settings.Minutes} min");
            receiver.Arm(Prefix, total);
            var sent = new long[total];
            var failed = 0;
            var lastProgress = 0;
            for (var i = 0; i < total; i++)
            {
                var due = TimeSpan.FromSeconds((double)i / settings.Rate);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed);
                }

                var session = sessions[i % sessions.Count];
                var at = Stopwatch.GetTimestamp();
                try
                {
                    await restB.UpdateSessionAsync(session.SessionId, new UpdateSessionRequest(Title: Prefix + i.ToString(CultureInfo.InvariantCulture))).WaitAsync(WaitTimeout);
                    sent[i] = at;
                }
                catch (Exception ex) when (ex is TeleClaudeApiException or HttpRequestException or TimeoutException)
                {
                    failed++;
                }

                var minute = (int)(clock.Elapsed.TotalMinutes);
                if (minute > lastProgress)
                {
                    lastProgress = minute;
                    Progress($"soak: minute {minute} done, {i + 1} sent, {receiver.Received} received");
                }
            }

            var achieved = total / clock.Elapsed.TotalSeconds;
            var expected = sent.Count(t => t != 0);
            var graceEnd = Stopwatch.GetTimestamp() + (long)(Grace.TotalSeconds * Stopwatch.Frequency);
            while (receiver.Received < expected && Stopwatch.GetTimestamp() < graceEnd)
            {
                await Task.Delay(50);
            }

            await stopSampling.CancelAsync();
            await sampling;
            samples.Add(Take());
            var healthA = await restA.HealthAsync().WaitAsync(WaitTimeout);
            var healthB = await restB.HealthAsync().WaitAsync(WaitTimeout);
            var countersA = (await restA.DiagnosticsAsync().WaitAsync(WaitTimeout)).Counters;
            var countersB = (await restB.DiagnosticsAsync().WaitAsync(WaitTimeout)).Counters;

            Print(settings, startedAt, clock.Elapsed, achieved, sent, receiver.Arrivals, receiver.Duplicates, failed, samples, ticksPerSecond,
                (healthA, countersA), (healthB, countersB), loadBefore, MachineInfo.LoadAverage());
        }
        finally
        {
            foreach (var server in tmux)
            {
                KillTmuxServer(server);
            }

            try
            {
                scratch.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string[] DaemonArgs(string project, string tmuxSocket) =>
    [
        $"--TeleClaude:Projects:0:Path={project}",
        "--TeleClaude:Agents:claude:Command:0=sleep",
        "--TeleClaude:Agents:claude:Command:1=infinity",
        $"--TeleClaude:Sessions:TmuxSocketName={tmuxSocket}",
        "--TeleClaude:Redis:HeartbeatTtl=00:00:06",
        "--TeleClaude:Cache:ComputerTtl=00:00:06",
    ];

    /// <summary>Changes on B until one reaches A's client: B has seen A's interest and the whole path works.</summary>
    private static async Task WarmUpAsync(TeleClaudeRestClient restB, EventReceiver receiver, SessionInfo session)
    {
        Progress("warm-up: waiting until a change on B reaches the client on A");
        receiver.Arm("warm-", 1_000);
        var deadline = Stopwatch.GetTimestamp() + (long)(WaitTimeout.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; receiver.Received < 20; i++)
        {
            if (Stopwatch.GetTimestamp() > deadline || i >= 1_000)
            {
                throw new TimeoutException("No change on B reached the client on A during the warm-up.");
            }

            await restB.UpdateSessionAsync(session.SessionId, new UpdateSessionRequest(Title: "warm-" + i.ToString(CultureInfo.InvariantCulture))).WaitAsync(WaitTimeout);
            await Task.Delay(100);
        }
    }

    private static async Task SampleAsync(List<Sample> samples, Func<Sample> take, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(SampleEvery, cancellationToken);
                lock (samples)
                {
                    samples.Add(take());
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static void KillTmuxServer(string socket)
    {
        using var process = Process.Start(new ProcessStartInfo("tmux") { ArgumentList = { "-L", socket, "kill-server" }, RedirectStandardError = true, RedirectStandardOutput = true });
        process?.WaitForExit(5_000);
    }

    private static void Progress(string message) => Console.Error.WriteLine($"[harness] {message}");

    // ------------------------------------------------------------------ output

    private static void Print(
        SoakSettings settings, DateTimeOffset startedAt, TimeSpan elapsed, double achieved, long[] sent, long[] arrivals, int duplicates, int failed,
        List<Sample> samples, long ticksPerSecond, (HealthReport Health, IReadOnlyDictionary<string, long> Counters) a,
        (HealthReport Health, IReadOnlyDictionary<string, long> Counters) b, string loadBefore, string loadAfter)
    {
        var inv = CultureInfo.InvariantCulture;
        var perMinute = settings.Rate * 60;
        var text = new StringBuilder();
        text.AppendLine(inv, $"Machine: {MachineInfo.Describe()}");
        text.AppendLine(inv, $"Run: {startedAt:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalMinutes:0.0} min; load average {loadBefore} before, {loadAfter} after.");
        text.AppendLine(inv, $"Setup: daemons A and B as child processes (`dotnet TeleClaude.Daemon.dll`, server GC), one redis-server, heartbeat every {HeartbeatInterval.TotalSeconds:0} s; " +
            $"{settings.Sessions} sessions on B (tmux, `sleep infinity`); one JSON SignalR client in the harness subscribed to sessions on A; " +
            $"PATCH /sessions/{{id}} (title) on B at {settings.Rate}/s (achieved {achieved:0.0}/s), round robin over the sessions.");
        text.AppendLine();
        text.AppendLine("| minute | changes sent | received on A | lost | p50 ms | p99 ms | max ms | RSS A MiB | RSS B MiB | CPU A % of a core | CPU B % of a core |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var allLatencies = new List<double>();
        for (var m = 0; m < settings.Minutes; m++)
        {
            var latencies = new List<double>();
            var sentCount = 0;
            var lost = 0;
            for (var i = m * perMinute; i < (m + 1) * perMinute && i < sent.Length; i++)
            {
                if (sent[i] == 0)
                {
                    continue;
                }

                sentCount++;
                if (arrivals[i] == 0)
                {
                    lost++;
                }
                else
                {
                    latencies.Add((arrivals[i] - sent[i]) * 1000.0 / Stopwatch.Frequency);
                }
            }

            latencies.Sort();
            allLatencies.AddRange(latencies);
            var (rssA, rssB, cpuA, cpuB) = Window(samples, m * 60.0, (m + 1) * 60.0, ticksPerSecond);
            text.AppendLine(inv,
                $"| {m + 1} | {sentCount:N0} | {latencies.Count:N0} | {lost} | {F(Pct(latencies, 50))} | {F(Pct(latencies, 99))} | {F(latencies.LastOrDefault())} | {Mib(rssA)} | {Mib(rssB)} | {cpuA:0.0} | {cpuB:0.0} |");
        }

        allLatencies.Sort();
        var sentTotal = sent.Count(t => t != 0);
        text.AppendLine(inv,
            $"| all | {sentTotal:N0} | {allLatencies.Count:N0} | {sentTotal - allLatencies.Count} | {F(Pct(allLatencies, 50))} | {F(Pct(allLatencies, 99))} | {F(allLatencies.LastOrDefault())} | | | | |");
        text.AppendLine();
        text.AppendLine(inv, $"PATCH calls that failed: {failed}; pushes received twice: {duplicates}; lost = answered by B, not pushed by A within {Grace.TotalSeconds:0} s after the last.");
        text.AppendLine();
        text.AppendLine("Resident memory over the run (sampled every 5 s; first sample after the warm-up):");
        text.AppendLine();
        text.AppendLine("| at min | RSS A MiB | RSS B MiB |");
        text.AppendLine("|---:|---:|---:|");
        // The first sample, the one nearest each whole minute, and the last.
        var shown = new SortedSet<int> { 0, samples.Count - 1 };
        for (var m = 1; m <= settings.Minutes; m++)
        {
            shown.Add(samples.Select((s, i) => (Distance: Math.Abs(s.AtSeconds - (m * 60.0)), Index: i)).MinBy(x => x.Distance).Index);
        }

        foreach (var sample in shown.Select(i => samples[i]))
        {
            text.AppendLine(inv, $"| {sample.AtSeconds / 60:0.00} | {Mib(sample.RssA)} | {Mib(sample.RssB)} |");
        }

        text.AppendLine();
        text.AppendLine("At the end:");
        text.AppendLine();
        text.AppendLine("| daemon | /health | pushes_in_flight_max | clients_dropped | resyncs | push_failures | events_sent | events_received | events_dropped | redis_errors |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, (health, counters)) in new[] { ("A", a), ("B", b) })
        {
            // Counters appear once they first count something: absent means 0.
            string C(string key) => counters.GetValueOrDefault(key).ToString("N0", inv);
            text.AppendLine(inv,
                $"| {name} | {health.Status} | {C("pushes_in_flight_max")} | {C("clients_dropped")} | {C("resyncs")} | {C("push_failures")} | {C("events_sent")} | {C("events_received")} | {C("events_dropped")} | {C("redis_errors")} |");
        }

        Console.Out.Write(text.ToString());
    }

    private static (long RssA, long RssB, double CpuA, double CpuB) Window(List<Sample> samples, double from, double to, long ticksPerSecond)
    {
        var first = samples.Where(s => s.AtSeconds <= from + 0.5).DefaultIfEmpty(samples[0]).Last();
        var last = samples.Where(s => s.AtSeconds <= to + 0.5).DefaultIfEmpty(samples[^1]).Last();
        var seconds = Math.Max(0.001, last.AtSeconds - first.AtSeconds);
        return (last.RssA, last.RssB,
            100.0 * (last.CpuTicksA - first.CpuTicksA) / ticksPerSecond / seconds,
            100.0 * (last.CpuTicksB - first.CpuTicksB) / ticksPerSecond / seconds);
    }

    private static double Pct(List<double> sorted, double percent) => sorted.Count == 0 ? double.NaN : Stats.Percentile(sorted, percent);

    private static string F(double ms) => double.IsNaN(ms) ? "n/a" : ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    private static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);
}
