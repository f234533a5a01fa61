using System.Diagnostics;
using System.Globalization;
using System.Text;
using StackExchange.Redis;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Hubs;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.LoadHarness;

/// <summary>Settings of one <c>criteria</c> run.</summary>
internal sealed record CriteriaSettings(
    IReadOnlyList<int> Remotes,
    int SessionsPerRemote,
    IReadOnlyList<int> Clients,
    IReadOnlyList<int> Rates,
    int PreparationRuns,
    TimeSpan RateWindow,
    int FanOutEvents,
    int FanOutRate,
    int ProfileEvents);

/// <summary>
/// The issue "Prove the success criteria": real daemons (1 local + N remotes in this process) on a real redis-server.
/// Measures the preparation view load (cold and warm), the latency of remote session changes at sustained rates,
/// fan-out to K hub clients, the memory of a local daemon (in a child process, so its RSS is its own) at rest and
/// under load, and where the time of one event goes. Remote changes are made with the remote daemon's own
/// <see cref="DaemonCache.PublishLocalSession"/> (what its command handlers call after writing SQLite), so the
/// remote's REST and SQLite costs stay out of the numbers and the rate is set by the harness alone.
/// </summary>
internal static class CriteriaBenchmark
{
    private const string LocalName = "local";

    private const string ChildName = "memlocal";

    private const int TodosPerProject = 10;

    private const int MemoryRate = 100;

    /// <summary>Heartbeats every 5 s: peers find each other within one interval; interest changes are sent at once anyway.</summary>
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait for a view, a state or a REST call; a miss is a failure, not a slow sample.</summary>
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Longest wait for heartbeats to carry a change of presence or interest.</summary>
    private static readonly TimeSpan InterestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>After the last event of a run is published, how long its stragglers are waited for before they count as missing.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private sealed record PreparationRow(int Remotes, string Case, List<double> TotalMs, List<double> SubscribeMs, string Note);

    private sealed record RateRow(int Remotes, int TargetRate, int Sent, int Received, int Duplicates, double AchievedRate, List<double> LatencyMs);

    private sealed record FanOutRow(int Remotes, int Clients, int Events, int CompleteEvents, List<double> LastMs, List<double> FirstMs);

    private sealed record MemoryRow(
        int Remotes,
        long HarnessWorkingSet,
        long HarnessGcHeap,
        long HarnessPeakWorkingSetAt100,
        long ChildRest,
        long ChildSubscribed,
        long ChildPeakLoad,
        long ChildAfterLoad,
        RateRow ChildRate,
        double ChildCpuRestPercent = 0,
        double ChildCpuLoadPercent = 0);

    private sealed record StageRow(string Stage, List<double> Ms);

    private sealed record ProfileResult(int Remotes, int Events, List<StageRow> Stages, List<double> XaddRoundTripMs);

    private sealed record ClusterResult(
        int Remotes,
        int SessionsPerRemote,
        double SetupSeconds,
        List<PreparationRow> Preparation,
        List<RateRow> Rates,
        List<FanOutRow> FanOut,
        MemoryRow Memory,
        ProfileResult Profile);

    public static async Task RunAsync(CriteriaSettings settings)
    {
        var started = Stopwatch.GetTimestamp();
        var loadBefore = TransportBenchmark.LoadAverage();
        var results = new List<ClusterResult>();
        Progress("starting redis-server");
        await using (var redis = await HarnessRedis.StartAsync())
        {
            using var raw = await redis.ConnectAsync();
            foreach (var n in settings.Remotes)
            {
                results.Add(await RunClusterAsync(redis, n, settings));
                await raw.CommandAsync("FLUSHALL");
            }
        }

        Print(settings, results, Stopwatch.GetElapsedTime(started), loadBefore, TransportBenchmark.LoadAverage());
    }

    private static async Task<ClusterResult> RunClusterAsync(HarnessRedis redis, int n, CriteriaSettings settings)
    {
        var s = settings.SessionsPerRemote;
        var setupStart = Stopwatch.GetTimestamp();
        Progress($"{n} remotes: starting 1 local + {n} remote daemons");
        var remoteNames = Enumerable.Range(1, n).Select(i => string.Create(CultureInfo.InvariantCulture, $"remote-{i:D2}")).ToArray();
        var timer = new HubSendTimer();
        var daemons = new List<BenchDaemon>();
        try
        {
            daemons.Add(await BenchDaemon.StartAsync(LocalName, redis.Configuration, HeartbeatInterval, b => timer.Install(b.Services)));
            // In batches: 50 daemons booting at once on 2 cores can exceed the per-daemon start timeout.
            foreach (var batch in remoteNames.Chunk(10))
            {
                daemons.AddRange(await Task.WhenAll(batch.Select(name => BenchDaemon.StartAsync(name, redis.Configuration, HeartbeatInterval))));
            }

            var local = daemons[0];
            var remotes = daemons.Skip(1).ToList();
            foreach (var remote in remotes)
            {
                WriteRoadmap(remote.ProjectPath);
            }

            Progress($"{n} remotes: creating {s} sessions on each through REST (tmux, `sleep infinity` agent)");
            var sessions = new SessionInfo[n][];
            using (var gate = new SemaphoreSlim(10))
            {
                await Task.WhenAll(remotes.Select(async (remote, i) =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        using var rest = remote.Rest();
                        sessions[i] = await TransportBenchmark.CreateSessionsAsync(remote, rest, s);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }

            await TransportBenchmark.WaitUntilAsync(
                () => remoteNames.All(local.Get<DaemonCache>().OnlineRemoteComputers().Contains),
                InterestTimeout,
                $"the local daemon sees all {n} remotes online");
            await TransportBenchmark.WaitUntilAsync(
                () => remotes.All(r => r.Get<DaemonCache>().OnlineRemoteComputers().Contains(LocalName)),
                InterestTimeout,
                "every remote sees the local daemon online");
            var setupSeconds = Stopwatch.GetElapsedTime(setupStart).TotalSeconds;
            var publisher = new Publisher(remotes.Select(r => r.Get<DaemonCache>()).ToArray(), sessions);

            // In-process memory at rest: every daemon up, no client anywhere.
            var (harnessWs, harnessHeap) = HarnessMemory();

            var preparation = await SessionsViewAsync(local, remotes, sessions, settings);
            preparation.AddRange(await PreparationAsync(local, remotes, settings));

            // One client holds the sessions view from here on; the remotes then send it every event.
            var holderReceiver = new EventReceiver();
            var holder = SessionsHubClient.Create(local.SocketPath, holderReceiver);
            var clients = new List<(SessionsHubClient Client, EventReceiver Receiver)> { (holder, holderReceiver) };
            List<RateRow> rates;
            List<FanOutRow> fanOut;
            ProfileResult profile;
            long harnessPeakAt100;
            try
            {
                await holder.StartAsync().WaitAsync(WaitTimeout);
                await holder.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
                await holderReceiver.FirstState.WaitAsync(WaitTimeout);
                await WaitForInterestAsync(remotes, LocalName, interested: true);
                var sessionsRefresh = await TimeRefreshAsync(holder, Views.Sessions, settings.PreparationRuns);
                preparation.Add(new PreparationRow(n, "refresh sessions", sessionsRefresh, sessionsRefresh,
                    string.Create(CultureInfo.InvariantCulture, $"pulls the {n * s} sessions from every remote again (in parallel), sends the full state")));
                await TransportBenchmark.WaitForPushesToSettleAsync(local.Get<HubCounters>());

                Progress($"{n} remotes: profile, {settings.ProfileEvents} sequential events with stage timestamps");
                profile = await ProfileAsync(redis, timer, publisher, holderReceiver, n, settings.ProfileEvents);

                (rates, harnessPeakAt100) = await RatesAsync(publisher, holderReceiver, n, settings);
                fanOut = await FanOutAsync(local, publisher, clients, n, settings);
            }
            finally
            {
                foreach (var (client, _) in clients)
                {
                    await client.DisposeAsync();
                }
            }

            await WaitForInterestAsync(remotes, LocalName, interested: false);
            var memory = await ChildMemoryAsync(redis, remotes, publisher, n, settings) with
            {
                HarnessWorkingSet = harnessWs,
                HarnessGcHeap = harnessHeap,
                HarnessPeakWorkingSetAt100 = harnessPeakAt100,
            };
            return new ClusterResult(n, s, setupSeconds, preparation, rates, fanOut, memory, profile);
        }
        finally
        {
            Progress($"{n} remotes: stopping daemons");
            foreach (var daemon in daemons)
            {
                await daemon.DisposeAsync();
            }
        }
    }

    /// <summary>A roadmap of 10 items (all three states, some with descriptions, some with requirements/plan files).</summary>
    private static void WriteRoadmap(string projectPath)
    {
        var todos = Path.Combine(projectPath, "todos");
        Directory.CreateDirectory(todos);
        var text = new StringBuilder("# Roadmap\n\n");
        for (var i = 0; i < TodosPerProject; i++)
        {
            var mark = (i % 3) switch { 0 => ' ', 1 => '.', _ => '>' };
            var slug = string.Create(CultureInfo.InvariantCulture, $"item-{i:D2}-improve-the-thing");
            text.Append(CultureInfo.InvariantCulture, $"- [{mark}] {slug}\n");
            if (i % 2 == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"  Make item {i} faster and document the result.\n  Second line of the description.\n");
            }

            if (i % 3 == 1)
            {
                Directory.CreateDirectory(Path.Combine(todos, slug));
                File.WriteAllText(Path.Combine(todos, slug, "requirements.md"), "requirements\n");
                File.WriteAllText(Path.Combine(todos, slug, "implementation-plan.md"), "plan\n");
            }
        }

        File.WriteAllText(Path.Combine(todos, "roadmap.md"), text.ToString());
    }

    // ------------------------------------------------------------------ 1. sessions view (criterion 1) and preparation view

    /// <summary>
    /// The sessions view as in the transport benchmark: cold = the local cache's remote sessions cleared and nobody subscribed
    /// (Subscribe pulls from every remote in parallel); warm = a new client while another holds the view.
    /// </summary>
    private static async Task<List<PreparationRow>> SessionsViewAsync(BenchDaemon local, List<BenchDaemon> remotes, SessionInfo[][] sessions, CriteriaSettings settings)
    {
        var n = remotes.Count;
        var ids = sessions.SelectMany(x => x).Select(x => x.SessionId).ToArray();
        Progress($"{n} remotes: sessions view, {settings.PreparationRuns} cold (after 1 warm-up) and {settings.PreparationRuns} warm loads");
        var cold = new List<double>();
        var firstComplete = 0;
        for (var round = 0; round <= settings.PreparationRuns; round++)
        {
            var (ms, first) = await TransportBenchmark.ColdViewAsync(local, remotes, ids);
            if (round > 0)
            {
                cold.Add(ms);
                firstComplete += first ? 1 : 0;
            }
        }

        var warm = new List<double>();
        var holder = SessionsHubClient.Create(local.SocketPath, new ViewReceiver(ids));
        await using (holder)
        {
            await holder.StartAsync().WaitAsync(WaitTimeout);
            await holder.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
            for (var round = 0; round < settings.PreparationRuns; round++)
            {
                var receiver = new ViewReceiver(ids);
                var start = Stopwatch.GetTimestamp();
                var client = SessionsHubClient.Create(local.SocketPath, receiver);
                await using (client)
                {
                    await client.StartAsync().WaitAsync(WaitTimeout);
                    await client.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
                    warm.Add(Stopwatch.GetElapsedTime(start, await receiver.Complete.WaitAsync(WaitTimeout)).TotalMilliseconds);
                }
            }
        }

        await WaitForInterestAsync(remotes, LocalName, interested: false);
        cold.Sort();
        warm.Sort();
        return
        [
            new PreparationRow(n, "sessions cold", cold, cold, $"first SessionsState complete in {firstComplete}/{settings.PreparationRuns}"),
            new PreparationRow(n, "sessions warm", warm, warm, "another client holds the view: served from the cache"),
        ];
    }

    private static async Task<List<PreparationRow>> PreparationAsync(BenchDaemon local, List<BenchDaemon> remotes, CriteriaSettings settings)
    {
        var n = remotes.Count;
        var expected = remotes.Select(r => (r.Name, r.ProjectPath)).ToArray();
        var interest = local.Get<InterestManager>();
        Progress($"{n} remotes: preparation view, {settings.PreparationRuns} cold (after 1 warm-up) and {settings.PreparationRuns} warm loads");
        var coldTotal = new List<double>();
        var coldSubscribe = new List<double>();
        var firstComplete = 0;
        for (var round = 0; round <= settings.PreparationRuns; round++)
        {
            // Cold: nobody holds the view, so Subscribe is its first subscriber; RefreshAsync drops the cached
            // projects and todos and pulls them again (projects, then all todos, from every remote in parallel).
            await TransportBenchmark.WaitUntilAsync(() => !interest.IsInterested(Views.Preparation), WaitTimeout, "the local daemon has no preparation subscriber");
            var (total, subscribe, first) = await LoadPreparationAsync(local, expected);
            if (round > 0)
            {
                coldTotal.Add(total);
                coldSubscribe.Add(subscribe);
                firstComplete += first ? 1 : 0;
            }
        }

        var warmTotal = new List<double>();
        var warmSubscribe = new List<double>();
        List<double> refresh;
        var holderReceiver = new PreparationReceiver(expected, TodosPerProject);
        var holder = SessionsHubClient.Create(local.SocketPath, holderReceiver);
        await using (holder)
        {
            await holder.StartAsync().WaitAsync(WaitTimeout);
            await holder.Subscribe(Views.Preparation).WaitAsync(WaitTimeout);
            await WaitViewAsync(holderReceiver.Complete, () => holderReceiver.Missing, n);
            for (var round = 0; round < settings.PreparationRuns; round++)
            {
                var (total, subscribe, _) = await LoadPreparationAsync(local, expected);
                warmTotal.Add(total);
                warmSubscribe.Add(subscribe);
            }

            refresh = await TimeRefreshAsync(holder, Views.Preparation, settings.PreparationRuns);
        }

        coldTotal.Sort();
        coldSubscribe.Sort();
        warmTotal.Sort();
        warmSubscribe.Sort();
        return
        [
            new PreparationRow(n, "cold", coldTotal, coldSubscribe, $"first PreparationState complete in {firstComplete}/{settings.PreparationRuns}"),
            new PreparationRow(n, "warm", warmTotal, warmSubscribe, "another client holds the view: served from the cache"),
            new PreparationRow(n, "refresh preparation", refresh, refresh, "drops the cached projects and todos, pulls projects then todos from every remote again, sends the full state"),
        ];
    }

    /// <summary>Times the hub's Refresh (the TUI's 'r'): it returns after the pulls finished and the full state was sent.</summary>
    private static async Task<List<double>> TimeRefreshAsync(SessionsHubClient client, string view, int runs)
    {
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await client.Refresh(view).WaitAsync(WaitTimeout);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        times.Sort();
        return times;
    }

    /// <summary>A new client connects and subscribes to preparation; timed until every remote project shows all its todos.</summary>
    private static async Task<(double TotalMs, double SubscribeMs, bool FirstStateComplete)> LoadPreparationAsync(BenchDaemon local, (string, string)[] expected)
    {
        var receiver = new PreparationReceiver(expected, TodosPerProject);
        var start = Stopwatch.GetTimestamp();
        var client = SessionsHubClient.Create(local.SocketPath, receiver);
        await using (client)
        {
            await client.StartAsync().WaitAsync(WaitTimeout);
            var subscribeStart = Stopwatch.GetTimestamp();
            await client.Subscribe(Views.Preparation).WaitAsync(WaitTimeout);
            var end = await WaitViewAsync(receiver.Complete, () => receiver.Missing, expected.Length);
            return (Stopwatch.GetElapsedTime(start, end).TotalMilliseconds, Stopwatch.GetElapsedTime(subscribeStart, end).TotalMilliseconds, receiver.FirstStateComplete);
        }
    }

    private static async Task<long> WaitViewAsync(Task<long> complete, Func<int> missing, int expected)
    {
        try
        {
            return await complete.WaitAsync(WaitTimeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"The preparation view lacked {missing()} of {expected} complete projects after {WaitTimeout.TotalSeconds:0} s.", ex);
        }
    }

    // ------------------------------------------------------------------ 2. sustained rates

    private static async Task<(List<RateRow> Rows, long HarnessPeakAt100)> RatesAsync(Publisher publisher, EventReceiver receiver, int n, CriteriaSettings settings)
    {
        // Warm-up (not recorded): JIT and connection buffers on the whole path.
        Progress($"{n} remotes: event warm-up (100 events at 50/s)");
        await RunEventsAsync(publisher, [receiver], $"warm{n}#", 100, 50);

        var rows = new List<RateRow>();
        long peak = 0;
        foreach (var rate in settings.Rates)
        {
            var count = Math.Max(1, (int)Math.Round(rate * settings.RateWindow.TotalSeconds));
            Progress($"{n} remotes: {count} events at {rate}/s");
            using var sampler = rate == MemoryRate ? new PeakSampler(() => Environment.WorkingSet) : null;
            var (publishTs, achieved) = await RunEventsAsync(publisher, [receiver], string.Create(CultureInfo.InvariantCulture, $"rate{n}-{rate}#"), count, rate);
            if (sampler is not null)
            {
                peak = await sampler.StopAsync();
            }

            rows.Add(new RateRow(n, rate, count, receiver.Received, receiver.Duplicates, achieved, Latencies(publishTs, receiver.Arrivals)));
            await Task.Delay(500);
        }

        return (rows, peak);
    }

    /// <summary>Arms the receivers, publishes <paramref name="count"/> paced events, waits (bounded) until every receiver has all.</summary>
    private static async Task<(long[] PublishTs, double AchievedRate)> RunEventsAsync(Publisher publisher, IReadOnlyList<EventReceiver> receivers, string prefix, int count, double rate)
    {
        foreach (var receiver in receivers)
        {
            receiver.Arm(prefix, count);
        }

        var publishTs = await publisher.PublishPacedAsync(prefix, count, rate);
        var achieved = count < 2 ? rate : (count - 1) / Stopwatch.GetElapsedTime(publishTs[0], publishTs[^1]).TotalSeconds;
        var deadline = Stopwatch.GetTimestamp() + (long)(DrainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (receivers.Any(r => r.Received < count) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10);
        }

        return (publishTs, achieved);
    }

    private static List<double> Latencies(long[] publishTs, long[] arrivals)
    {
        var latencies = new List<double>(publishTs.Length);
        for (var i = 0; i < publishTs.Length; i++)
        {
            if (arrivals[i] != 0)
            {
                latencies.Add(Stopwatch.GetElapsedTime(publishTs[i], arrivals[i]).TotalMilliseconds);
            }
        }

        latencies.Sort();
        return latencies;
    }

    // ------------------------------------------------------------------ 3. fan-out

    private static async Task<List<FanOutRow>> FanOutAsync(
        BenchDaemon local, Publisher publisher, List<(SessionsHubClient Client, EventReceiver Receiver)> clients, int n, CriteriaSettings settings)
    {
        var rows = new List<FanOutRow>();
        foreach (var k in settings.Clients.Order())
        {
            Progress($"{n} remotes: fan-out to {k} clients ({k - Math.Min(k, clients.Count)} more to connect), {settings.FanOutEvents} events at {settings.FanOutRate}/s");
            while (clients.Count < k)
            {
                var batch = Enumerable.Range(0, Math.Min(10, k - clients.Count)).Select(async _ =>
                {
                    var receiver = new EventReceiver();
                    var client = SessionsHubClient.Create(local.SocketPath, receiver);
                    try
                    {
                        await client.StartAsync().WaitAsync(WaitTimeout);
                        await client.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
                        await receiver.FirstState.WaitAsync(WaitTimeout);
                        return (client, receiver);
                    }
                    catch
                    {
                        await client.DisposeAsync();
                        throw;
                    }
                }).ToArray();
                foreach (var task in batch)
                {
                    try
                    {
                        clients.Add(await task);
                    }
                    catch (Exception ex) when (ex is TimeoutException or HttpRequestException or IOException)
                    {
                        throw new InvalidOperationException($"Connecting client {clients.Count + 1} of {k} failed.", ex);
                    }
                }
            }

            await TransportBenchmark.WaitForPushesToSettleAsync(local.Get<HubCounters>());
            var receivers = clients.Take(k).Select(c => c.Receiver).ToArray();
            await RunEventsAsync(publisher, receivers, string.Create(CultureInfo.InvariantCulture, $"fan{n}-{k}-warm#"), 10, settings.FanOutRate);
            var (publishTs, _) = await RunEventsAsync(
                publisher, receivers, string.Create(CultureInfo.InvariantCulture, $"fan{n}-{k}#"), settings.FanOutEvents, settings.FanOutRate);
            var last = new List<double>();
            var first = new List<double>();
            for (var i = 0; i < publishTs.Length; i++)
            {
                var arrivals = receivers.Select(r => r.Arrivals[i]).ToArray();
                if (arrivals.All(a => a != 0))
                {
                    last.Add(Stopwatch.GetElapsedTime(publishTs[i], arrivals.Max()).TotalMilliseconds);
                    first.Add(Stopwatch.GetElapsedTime(publishTs[i], arrivals.Min()).TotalMilliseconds);
                }
            }

            last.Sort();
            first.Sort();
            rows.Add(new FanOutRow(n, k, publishTs.Length, last.Count, last, first));
        }

        return rows;
    }

    // ------------------------------------------------------------------ 4. memory of a local daemon in a child process

    private static async Task<MemoryRow> ChildMemoryAsync(HarnessRedis redis, List<BenchDaemon> remotes, Publisher publisher, int n, CriteriaSettings settings)
    {
        Progress($"{n} remotes: memory, a local daemon as a child process joins the cluster");
        await using var child = await ChildDaemon.StartAsync(ChildName, redis.Configuration, HeartbeatInterval);
        using var rest = child.Rest();
        await TransportBenchmark.WaitUntilAsync(
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

    // ------------------------------------------------------------------ 6. where one event's time goes

    /// <summary>
    /// Sequential events (one in flight) with a timestamp at each point the harness can observe:
    /// publish on the remote; the entry read from the local daemon's stream by a harness connection blocked in XREAD on it (as
    /// the daemon's reader is); the start and end of the hub group send (decorated HubLifetimeManager); the client's handler.
    /// </summary>
    private static async Task<ProfileResult> ProfileAsync(HarnessRedis redis, HubSendTimer timer, Publisher publisher, EventReceiver receiver, int n, int events)
    {
        const int warmUp = 20;
        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        await using var watcher = await StreamArrivalWatcher.StartAsync(redis.Configuration, RedisKeys.SessionEvents(LocalName).ToString());
        var arrivals = watcher.Arrivals;

        // Reference: one XADD round trip from this process (same client library as the daemons).
        var db = mux.GetDatabase();
        var xadd = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await db.StreamAddAsync("bench:rtt", [new NameValueEntry("k", "v")], maxLength: 100, useApproximateMaxLength: true);
            if (i >= 20)
            {
                xadd.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }

        await db.KeyDeleteAsync("bench:rtt");
        xadd.Sort();

        var stages = new[]
        {
            "remote publish → entry read by a blocked XREAD (remote emitter wake, JSON, XADD, blocked read returns)",
            "entry read → hub group send starts (local reader wake, decode, cache apply, push loop wake)",
            "hub group send (serialize, write to the connection)",
            "send returned → client handler (socket, client parse, dispatch)",
            "end to end: remote publish → client handler",
        }.Select(name => new StageRow(name, [])).ToArray();
        timer.Clear();
        timer.Enabled = true;
        try
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"prof{n}#");
            receiver.Arm(prefix, warmUp + events);
            for (var i = 0; i < warmUp + events; i++)
            {
                arrivals.Clear();
                var title = prefix + i.ToString(CultureInfo.InvariantCulture);
                var t0 = Stopwatch.GetTimestamp();
                publisher.Publish(prefix, i);
                var deadline = t0 + (long)(WaitTimeout.TotalSeconds * Stopwatch.Frequency);
                while (receiver.Arrivals[i] == 0)
                {
                    if (Stopwatch.GetTimestamp() > deadline)
                    {
                        throw new TimeoutException($"Profile event {i} did not arrive within {WaitTimeout.TotalSeconds:0} s.");
                    }

                    await Task.Delay(1);
                }

                // Let the rest of the path (SQLite last-id write, send completion) finish before the next event.
                await Task.Delay(15);
                var t4 = receiver.Arrivals[i];
                var t1 = arrivals.Where(t => t >= t0).DefaultIfEmpty(0).Min();
                if (i < warmUp || t1 == 0 || !timer.TryGet(title, out var send))
                {
                    continue;
                }

                double Ms(long a, long b) => Stopwatch.GetElapsedTime(a, b).TotalMilliseconds;
                stages[0].Ms.Add(Ms(t0, t1));
                stages[1].Ms.Add(Ms(t1, send.Start));
                stages[2].Ms.Add(Ms(send.Start, send.End));
                stages[3].Ms.Add(Ms(send.End, t4));
                stages[4].Ms.Add(Ms(t0, t4));
            }
        }
        finally
        {
            timer.Enabled = false;
        }

        foreach (var stage in stages)
        {
            stage.Ms.Sort();
        }

        return new ProfileResult(n, stages[^1].Ms.Count, [.. stages], xadd);
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>Makes remote session changes: event i retitles a session of remote i mod N (round-robin over its sessions).</summary>
    private sealed class Publisher(DaemonCache[] caches, SessionInfo[][] sessions)
    {
        public void Publish(string prefix, int i)
        {
            var remote = i % caches.Length;
            var own = sessions[remote];
            var session = own[(i / caches.Length) % own.Length];
            caches[remote].PublishLocalSession(SessionEventNames.SessionUpdated, session with { Title = prefix + i.ToString(CultureInfo.InvariantCulture) });
        }

        /// <summary>Publishes event i at start + i/rate (all due events at once when behind); returns each event's publish timestamp.</summary>
        public async Task<long[]> PublishPacedAsync(string prefix, int count, double rate)
        {
            var ts = new long[count];
            var start = Stopwatch.GetTimestamp();
            var i = 0;
            while (i < count)
            {
                var now = Stopwatch.GetTimestamp();
                var due = Math.Min(count, (int)((now - start) * rate / Stopwatch.Frequency) + 1);
                while (i < due)
                {
                    ts[i] = Stopwatch.GetTimestamp();
                    Publish(prefix, i);
                    i++;
                }

                if (i < count)
                {
                    var next = start + (long)(i * Stopwatch.Frequency / rate);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                    await Task.Delay(wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1));
                }
            }

            return ts;
        }
    }

    private static Task WaitForInterestAsync(IReadOnlyList<BenchDaemon> remotes, string peer, bool interested) =>
        TransportBenchmark.WaitUntilAsync(
            () => remotes.All(r => r.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains(peer) == interested),
            InterestTimeout,
            $"every remote sees {peer} {(interested ? "interested" : "not interested")} in sessions");

    private static void Progress(string message) => Console.Error.WriteLine($"[harness] {message}");

    // ------------------------------------------------------------------ output

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
