using System.Diagnostics;
using System.Globalization;
using System.Text;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Hubs;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.LoadHarness;

/// <summary>Settings of one <c>transport</c> run.</summary>
internal sealed record TransportSettings(IReadOnlyList<int> Remotes, int SessionsPerRemote, int Runs, int DownRuns, int Events, TimeSpan IdleWindow);

/// <summary>
/// Real daemons on a real redis-server: one local daemon and N remote daemons in this process, each with S
/// sessions created through its REST API. Measures what a TUI on the local computer sees: the time to a full
/// sessions view at subscribe (against the old system's sequential request/response per view load), the latency
/// of a remote change to a push on the local client, and the idle Redis traffic; then the idle CPU of one
/// daemon in a child process, with and without Redis.
/// </summary>
internal static class TransportBenchmark
{
    private const string LocalName = "local";

    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    /// <summary>The old system's per-remote request timeout, and the daemon's default pull timeout.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Longest wait for a full view, a push or a REST call; a miss is a failure, not a slow sample.</summary>
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Longest wait for heartbeats to carry a change of interest or presence.</summary>
    private static readonly TimeSpan InterestTimeout = TimeSpan.FromSeconds(15);

    private const int EventWarmUp = 20;

    private sealed record ViewRow(int Remotes, string Case, string Path, IReadOnlyList<double> SortedMs, string Note);

    private sealed record EventRow(int Remotes, IReadOnlyList<double> SortedMs, IReadOnlyList<double> SortedRestMs);

    private sealed record TrafficRow(int Remotes, int Daemons, double WindowSeconds, long Commands, long InputBytes);

    private sealed record ClusterResult(List<ViewRow> Views, EventRow Events, TrafficRow Traffic);

    public static async Task RunAsync(TransportSettings settings)
    {
        var started = Stopwatch.GetTimestamp();
        var loadBefore = LoadAverage();
        var results = new List<ClusterResult>();
        var cpu = new List<IdleCpuRow>();
        Progress("starting redis-server");
        await using (var redis = await HarnessRedis.StartAsync())
        {
            using var raw = await redis.ConnectAsync();
            var infoCost = await CalibrateInfoAsync(raw);
            foreach (var n in settings.Remotes)
            {
                results.Add(await RunClusterAsync(redis, raw, infoCost, n, settings));
                await raw.CommandAsync("FLUSHALL");
            }

            Progress($"idle CPU: two child daemons (with and without Redis), 5 s settle + {settings.IdleWindow.TotalSeconds:0} s window, side by side");
            var settle = TimeSpan.FromSeconds(5);
            var rows = await Task.WhenAll(
                IdleCpuProbe.MeasureAsync("Redis configured (default 30 s heartbeat)", redis.Configuration, settle, settings.IdleWindow),
                IdleCpuProbe.MeasureAsync("local-only (no Redis)", null, settle, settings.IdleWindow));
            cpu.AddRange(rows);
        }

        Print(settings, results, cpu, Stopwatch.GetElapsedTime(started), loadBefore, LoadAverage());
    }

    private static async Task<ClusterResult> RunClusterAsync(HarnessRedis redis, RawRedisClient raw, InfoCost infoCost, int n, TransportSettings settings)
    {
        var s = settings.SessionsPerRemote;
        Progress($"{n} remotes: starting 1 local + {n} remote daemons");
        var remoteNames = Enumerable.Range(1, n).Select(i => string.Create(CultureInfo.InvariantCulture, $"remote-{i:D2}")).ToArray();
        var daemons = new List<BenchDaemon>();
        var rests = new Dictionary<string, TeleClaudeRestClient>(StringComparer.Ordinal);
        try
        {
            var started = await Task.WhenAll(new[] { LocalName }.Concat(remoteNames)
                .Select(name => BenchDaemon.StartAsync(name, redis.Configuration, HeartbeatInterval)));
            daemons.AddRange(started);
            var local = daemons[0];
            var remotes = daemons.Skip(1).ToList();
            foreach (var remote in remotes)
            {
                rests[remote.Name] = remote.Rest();
            }

            Progress($"{n} remotes: creating {s} sessions on each through REST");
            var created = await Task.WhenAll(remotes.Select(r => CreateSessionsAsync(r, rests[r.Name], s)));
            var sessionsByRemote = remotes.Select((r, i) => (r.Name, created[i])).ToDictionary(x => x.Name, x => x.Item2, StringComparer.Ordinal);
            await WaitUntilAsync(
                () => remoteNames.All(local.Get<DaemonCache>().OnlineRemoteComputers().Contains),
                InterestTimeout,
                $"the local daemon sees all {n} remotes online");
            await WaitUntilAsync(
                () => remotes.All(r => r.Get<DaemonCache>().OnlineRemoteComputers().Contains(LocalName)),
                InterestTimeout,
                "every remote sees the local daemon online");

            var views = new List<ViewRow>();
            var allIds = sessionsByRemote.Values.SelectMany(x => x).Select(x => x.SessionId).ToArray();
            var source = local.Get<RedisRemoteDataSource>();

            // 1 + 2. Cold view at subscribe vs the old sequential pulls, all remotes up; round 0 is a warm-up.
            Progress($"{n} remotes: {settings.Runs} cold subscribes and {settings.Runs} sequential baselines (plus one warm-up round)");
            var cold = new List<double>();
            var baseline = new List<double>();
            var firstComplete = 0;
            for (var round = 0; round <= settings.Runs; round++)
            {
                var (ms, first) = await ColdViewAsync(local, remotes, allIds);
                var (baseMs, count, timeouts) = await BaselineAsync(source, remoteNames);
                if (count != allIds.Length || timeouts != 0)
                {
                    throw new InvalidOperationException($"Baseline got {count} of {allIds.Length} sessions with {timeouts} timeouts while every remote was up.");
                }

                if (round > 0)
                {
                    cold.Add(ms);
                    baseline.Add(baseMs);
                    firstComplete += first ? 1 : 0;
                }
            }

            views.Add(new ViewRow(n, "all up", "cache: new client connect + Subscribe, cold", Sorted(cold),
                $"first SessionsState complete in {firstComplete}/{settings.Runs}"));
            views.Add(new ViewRow(n, "all up", "baseline: sequential list_sessions per remote", Sorted(baseline), "3 s timeout each"));

            // 3. Event latency, plus warm subscribes (a second client while one is subscribed).
            Progress($"{n} remotes: {settings.Events} PATCH title events (after {EventWarmUp} warm-up) and {settings.Runs} warm subscribes");
            var (events, warm) = await EventsAndWarmAsync(local, remotes, rests, sessionsByRemote, allIds, settings);
            views.Add(new ViewRow(n, "all up", "cache: new client connect + Subscribe, warm (another client subscribed)", warm, ""));

            // 4. Idle Redis traffic: no client anywhere, heartbeats only.
            Progress($"{n} remotes: idle Redis traffic over {settings.IdleWindow.TotalSeconds:0} s");
            await Task.Delay(HeartbeatInterval);
            var before = await raw.InfoStatsAsync();
            var windowStart = Stopwatch.GetTimestamp();
            await Task.Delay(settings.IdleWindow);
            var after = await raw.InfoStatsAsync();
            var window = Stopwatch.GetElapsedTime(windowStart).TotalSeconds;
            var traffic = new TrafficRow(
                n,
                n + 1,
                window,
                after["total_commands_processed"] - before["total_commands_processed"] - infoCost.Commands,
                after["total_net_input_bytes"] - before["total_net_input_bytes"] - infoCost.InputBytes);

            // 2b. One remote down: its daemon stops (its heartbeat key lives on, so peers still count it online).
            var down = remotes[^1];
            var live = remotes.Take(remotes.Count - 1).ToList();
            var liveIds = live.SelectMany(r => sessionsByRemote[r.Name]).Select(x => x.SessionId).ToArray();
            Progress($"{n} remotes: stopping {down.Name}; {settings.DownRuns} cold subscribes and baselines with it down");
            await down.StopAsync();
            var coldDown = new List<double>();
            var baselineDown = new List<double>();
            var downFirstComplete = 0;
            for (var round = 0; round < settings.DownRuns; round++)
            {
                var (ms, first) = await ColdViewAsync(local, live, liveIds);
                var (baseMs, count, timeouts) = await BaselineAsync(source, remoteNames);
                if (count != liveIds.Length || timeouts != 1)
                {
                    throw new InvalidOperationException($"Baseline with {down.Name} down got {count} of {liveIds.Length} sessions with {timeouts} timeouts.");
                }

                coldDown.Add(ms);
                baselineDown.Add(baseMs);
                downFirstComplete += first ? 1 : 0;
            }

            views.Add(new ViewRow(n, "1 down", "cache: new client connect + Subscribe, cold", Sorted(coldDown),
                $"view = the {n - 1} live remotes; first SessionsState complete in {downFirstComplete}/{settings.DownRuns}"));
            views.Add(new ViewRow(n, "1 down", "baseline: sequential list_sessions per remote", Sorted(baselineDown), "the down remote times out (3 s)"));
            return new ClusterResult(views, events, traffic);
        }
        finally
        {
            foreach (var rest in rests.Values)
            {
                rest.Dispose();
            }

            Progress($"{n} remotes: stopping daemons");
            foreach (var daemon in daemons)
            {
                await daemon.DisposeAsync();
            }
        }
    }

    internal static async Task<SessionInfo[]> CreateSessionsAsync(BenchDaemon remote, TeleClaudeRestClient rest, int count)
    {
        var sessions = new SessionInfo[count];
        for (var i = 0; i < count; i++)
        {
            sessions[i] = await rest.CreateSessionAsync(
                new CreateSessionRequest(remote.ProjectPath, string.Create(CultureInfo.InvariantCulture, $"{remote.Name} session {i}: fix flaky test"), "claude"))
                .WaitAsync(WaitTimeout);
        }

        return sessions;
    }

    /// <summary>
    /// One cold view: the local cache holds no remote sessions and nobody is subscribed; a new client connects and
    /// subscribes; timed until every expected session is in the view (first SessionsState plus any pushes after it).
    /// Afterwards the client is disposed and the harness waits until every remote has seen the interest end.
    /// </summary>
    internal static async Task<(double Ms, bool FirstStateComplete)> ColdViewAsync(BenchDaemon local, IReadOnlyList<BenchDaemon> liveRemotes, string[] expected)
    {
        var cache = local.Get<DaemonCache>();
        foreach (var computer in cache.OnlineRemoteComputers())
        {
            cache.ReplaceRemoteSessions(computer, Array.Empty<SessionPatch>());
        }

        await WaitForPushesToSettleAsync(local.Get<HubCounters>());

        var receiver = new ViewReceiver(expected);
        var start = Stopwatch.GetTimestamp();
        var client = SessionsHubClient.Create(local.SocketPath, receiver);
        try
        {
            await client.StartAsync().WaitAsync(WaitTimeout);
            await client.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
            var end = await WaitForViewAsync(receiver, expected.Length);
            return (Stopwatch.GetElapsedTime(start, end).TotalMilliseconds, receiver.FirstStateComplete);
        }
        finally
        {
            await client.DisposeAsync();
            await WaitForInterestAsync(local, liveRemotes, interested: false);
        }
    }

    private static async Task<long> WaitForViewAsync(ViewReceiver receiver, int expected)
    {
        try
        {
            return await receiver.Complete.WaitAsync(WaitTimeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"The view lacked {receiver.Missing} of {expected} sessions after {WaitTimeout.TotalSeconds:0} s.", ex);
        }
    }

    /// <summary>The old system per view load: one request/response to each remote after the other, 3 s timeout each.</summary>
    private static async Task<(double Ms, int Sessions, int Timeouts)> BaselineAsync(RedisRemoteDataSource source, IReadOnlyList<string> remotes)
    {
        var sessions = 0;
        var timeouts = 0;
        var start = Stopwatch.GetTimestamp();
        foreach (var remote in remotes)
        {
            using var timeout = new CancellationTokenSource(RequestTimeout);
            try
            {
                var list = await source.RequestAsync<IReadOnlyList<SessionInfo>>(remote, RequestCommands.ListSessions, null, timeout.Token);
                sessions += list.Count;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                timeouts++;
            }
        }

        return (Stopwatch.GetElapsedTime(start).TotalMilliseconds, sessions, timeouts);
    }

    private static async Task<(EventRow Events, IReadOnlyList<double> WarmSorted)> EventsAndWarmAsync(
        BenchDaemon local,
        List<BenchDaemon> remotes,
        Dictionary<string, TeleClaudeRestClient> rests,
        Dictionary<string, SessionInfo[]> sessionsByRemote,
        string[] allIds,
        TransportSettings settings)
    {
        var receiver = new ViewReceiver(allIds);
        var holder = SessionsHubClient.Create(local.SocketPath, receiver);
        try
        {
            await holder.StartAsync().WaitAsync(WaitTimeout);
            await holder.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
            await WaitForViewAsync(receiver, allIds.Length);
            await WaitForInterestAsync(local, remotes, interested: true);

            var latencies = new List<double>(settings.Events);
            var restTimes = new List<double>(settings.Events);
            for (var i = 0; i < EventWarmUp + settings.Events; i++)
            {
                var remote = remotes[i % remotes.Count];
                var remoteSessions = sessionsByRemote[remote.Name];
                var session = remoteSessions[(i / remotes.Count) % remoteSessions.Length];
                var title = string.Create(CultureInfo.InvariantCulture, $"{remote.Name} session retitled {i}");
                var arrival = receiver.ExpectUpdate(session.SessionId, title);
                var start = Stopwatch.GetTimestamp();
                await rests[remote.Name].UpdateSessionAsync(session.SessionId, new UpdateSessionRequest(Title: title)).WaitAsync(WaitTimeout);
                var restDone = Stopwatch.GetTimestamp();
                long end;
                try
                {
                    end = await arrival.WaitAsync(WaitTimeout);
                }
                catch (TimeoutException ex)
                {
                    throw new TimeoutException($"No SessionUpdated for event {i} ({remote.Name}) within {WaitTimeout.TotalSeconds:0} s.", ex);
                }

                if (i >= EventWarmUp)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
                    restTimes.Add(Stopwatch.GetElapsedTime(start, restDone).TotalMilliseconds);
                }
            }

            var warm = new List<double>(settings.Runs);
            for (var round = 0; round < settings.Runs; round++)
            {
                var second = new ViewReceiver(allIds);
                var start = Stopwatch.GetTimestamp();
                var client = SessionsHubClient.Create(local.SocketPath, second);
                await using (client)
                {
                    await client.StartAsync().WaitAsync(WaitTimeout);
                    await client.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
                    var end = await WaitForViewAsync(second, allIds.Length);
                    warm.Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
                }
            }

            return (new EventRow(remotes.Count, Sorted(latencies), Sorted(restTimes)), Sorted(warm));
        }
        finally
        {
            await holder.DisposeAsync();
            await WaitForInterestAsync(local, remotes, interested: false);
        }
    }

    /// <summary>Waits until the local daemon's interest in sessions and every live remote's view of it agree with <paramref name="interested"/>.</summary>
    private static Task WaitForInterestAsync(BenchDaemon local, IReadOnlyList<BenchDaemon> liveRemotes, bool interested) =>
        WaitUntilAsync(
            () => local.Get<InterestManager>().IsInterested(Views.Sessions) == interested
                && liveRemotes.All(r => r.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains(LocalName) == interested),
            InterestTimeout,
            $"every remote sees the local daemon {(interested ? "interested" : "not interested")} in sessions");

    internal static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
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

    internal static async Task WaitForPushesToSettleAsync(HubCounters counters)
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

    /// <summary>What one INFO call adds to the counters it reads (measured on the idle server at start).</summary>
    private sealed record InfoCost(long Commands, long InputBytes);

    private static async Task<InfoCost> CalibrateInfoAsync(RawRedisClient raw)
    {
        var a = await raw.InfoStatsAsync();
        var b = await raw.InfoStatsAsync();
        return new InfoCost(
            b["total_commands_processed"] - a["total_commands_processed"],
            b["total_net_input_bytes"] - a["total_net_input_bytes"]);
    }

    private static List<double> Sorted(List<double> values)
    {
        values.Sort();
        return values;
    }

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static void Progress(string message) => Console.Error.WriteLine($"[harness] {message}");

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
