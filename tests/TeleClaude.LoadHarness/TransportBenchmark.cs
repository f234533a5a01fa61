using System.Diagnostics;
using System.Globalization;
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
internal static partial class TransportBenchmark
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
        var loadBefore = MachineInfo.LoadAverage();
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

        Print(settings, results, cpu, Stopwatch.GetElapsedTime(started), loadBefore, MachineInfo.LoadAverage());
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
            await HarnessWaits.UntilAllOnlineAsync(local, remotes, InterestTimeout);

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

        await HarnessWaits.WaitForPushesToSettleAsync(local.Get<HubCounters>());

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
        HarnessWaits.WaitUntilAsync(
            () => local.Get<InterestManager>().IsInterested(Views.Sessions) == interested
                && liveRemotes.All(r => r.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains(LocalName) == interested),
            InterestTimeout,
            $"every remote sees the local daemon {(interested ? "interested" : "not interested")} in sessions");

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

    private static void Progress(string message) => Console.Error.WriteLine($"[harness] {message}");
}
