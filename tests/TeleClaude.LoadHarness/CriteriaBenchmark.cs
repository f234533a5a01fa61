using System.Diagnostics;
using System.Globalization;
using System.Text;
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
internal static partial class CriteriaBenchmark
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
        var loadBefore = MachineInfo.LoadAverage();
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

        Print(settings, results, Stopwatch.GetElapsedTime(started), loadBefore, MachineInfo.LoadAverage());
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

            await HarnessWaits.UntilAllOnlineAsync(local, remotes, InterestTimeout);
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
                await HarnessWaits.WaitForPushesToSettleAsync(local.Get<HubCounters>());

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

    private static Task WaitForInterestAsync(IReadOnlyList<BenchDaemon> remotes, string peer, bool interested) =>
        HarnessWaits.WaitUntilAsync(
            () => remotes.All(r => r.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains(peer) == interested),
            InterestTimeout,
            $"every remote sees {peer} {(interested ? "interested" : "not interested")} in sessions");

    private static void Progress(string message) => Console.Error.WriteLine($"[harness] {message}");
}
