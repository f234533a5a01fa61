namespace TeleClaude.LoadHarness;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project tests/TeleClaude.LoadHarness -- snapshot [--iterations N]</c> or
/// <c>... -- transport [--remotes 2,10] [--sessions-per-remote 50] [--runs 10] [--window 30]</c>,
/// <c>... -- criteria [--remotes 2,10,50] [--sessions-per-remote 20] [--clients 1,10,100] [--rates 10,100,1000]</c> or
/// <c>... -- peer [--sessions 20] [--rounds 20] [--events 500] [--online 20]</c>,
/// <c>... -- idle [--window 120] [--baseline DLL]</c>,
/// <c>... -- micro [BenchmarkDotNet switches, e.g. --filter *Decode*]</c> or
/// <c>... -- soak [--rate 50] [--minutes 5] [--sessions 10]</c> or
/// <c>... -- remote [--samples 200] [--window 20]</c> or
/// <c>... -- signing [--events 500] [--pulls 100]</c>.
/// The results tables go to stdout; progress and daemon logs go to stderr.
/// </summary>
internal static class Program
{
    /// <summary>Upper bound for <c>--iterations</c>, so one run stays within a few minutes.</summary>
    public const int MaxIterations = 1000;

    private const string SeeUsage = "see the usage below for the ranges.";

    private const string Usage =
        "usage: TeleClaude.LoadHarness snapshot [--iterations N]\n" +
        "       TeleClaude.LoadHarness transport [--remotes 2,10] [--sessions-per-remote 50] [--runs 10] [--window 30]\n" +
        "  snapshot                time snapshot reads (REST, hub re-subscribe, hub new client) with 1,000 and 10,000 cached remote sessions\n" +
        "  --iterations N          measured iterations per row (1-1000); default 200 for 1,000 sessions and 50 for 10,000\n" +
        "  transport               real daemons on a real redis-server: view at subscribe vs sequential pulls, event latency,\n" +
        "                          idle Redis traffic, idle daemon CPU\n" +
        "  --remotes A,B           remote daemons per cluster, each 1-20 (default 2,10)\n" +
        "  --sessions-per-remote S sessions each remote creates, 1-1000 (default 50)\n" +
        "  --runs R                cold and warm subscribes and baselines per cluster, 1-100 (default 10; half, at least 1, with a remote down)\n" +
        "  --window W              seconds of the idle traffic and idle CPU windows, 5-120 (default 30)\n" +
        "       TeleClaude.LoadHarness criteria [--remotes 2,10,50] [--sessions-per-remote 20] [--clients 1,10,100] [--rates 10,100,1000]\n" +
        "  criteria                the success criteria: preparation view load (cold/warm), event latency at sustained rates,\n" +
        "                          fan-out to K clients, daemon memory, growth with N, where one event's time goes\n" +
        "  --remotes A,B,C         remote daemons per cluster, each 1-50 (default 2,10,50)\n" +
        "  --sessions-per-remote S sessions each remote creates, 1-200 (default 20)\n" +
        "  --clients K,L           hub clients for the fan-out, each 1-200 (default 1,10,100)\n" +
        "  --rates R,S             sustained event rates per second, each 1-5000, 5 s each (default 10,100,1000)\n" +
        "       TeleClaude.LoadHarness peer [--sessions 20] [--rounds 20] [--events 500] [--online 20]\n" +
        "  peer                    a seed-contract peer (plain SET/XADD/XREAD, no PUBLISH) beside the daemon in its own process:\n" +
        "                          first complete view, event latency (partial session_updated), time until a new peer is listed\n" +
        "       TeleClaude.LoadHarness idle [--window 120] [--baseline /path/to/other/TeleClaude.Daemon.dll]\n" +
        "  idle                    Redis commands per minute of one daemon with default settings, no client and one client;\n" +
        "                          --baseline measures another build side by side (e.g. main's, for before/after)\n" +
        "       TeleClaude.LoadHarness agents [--sessions 0,20,100] [--window 15] [--samples 200] [--daemon PATH]\n" +
        "  agents                  a daemon in its own process: CPU with N idle sessions (daemon with children, tmux server),\n" +
        "                          output change → watcher push, hook → status on a client, agent exit → SessionTerminated\n" +
        "                          (--daemon: another build's TeleClaude.Daemon.dll, e.g. for the CPU before/after; --samples 0: CPU only)\n" +
        "       TeleClaude.LoadHarness micro [BenchmarkDotNet switches]\n" +
        "  micro                   BenchmarkDotNet (in process, ShortRun, MemoryDiagnoser): DaemonCache.GetSessionsAsync with\n" +
        "                          1,000 and 10,000 cached remote sessions; SessionEventReceiver.TryDecode\n" +
        "       TeleClaude.LoadHarness access [--requests N]\n" +
        "  access                  what the locks cost: TCP requests with and without the token, a refused one, the Unix socket\n" +
        "  --requests N            measured requests per case, 100-100000 (default 5000)\n" +
        "       TeleClaude.LoadHarness soak [--rate 50] [--minutes 5] [--sessions 10]\n" +
        "  soak                    two daemons as child processes on one redis-server; PATCHes on B at a fixed rate, a client on A;\n" +
        "                          per minute: changes lost, latency p50/p99, RSS and CPU of each daemon\n" +
        "  --rate R                changes per second, 1-1000 (default 50)\n" +
        "  --minutes M             length of the run, 1-240 (default 5)\n" +
        "  --sessions S            sessions on B the changes go round, 1-100 (default 10)\n" +
        "       TeleClaude.LoadHarness remote [--samples 200] [--window 20]\n" +
        "  remote                  sessions of another computer: daemons A (watcher) and B (owner) as child processes on one redis-server;\n" +
        "                          output change on B → push on A's watching client (and B's, same change), hook on B → status on A's\n" +
        "                          client (and B's), Redis traffic of one watched session vs none\n" +
        "  --samples N             latency samples per measurement, 10-2000 (default 200)\n" +
        "  --window W              seconds of each traffic window, 5-120 (default 20)\n" +
        "       TeleClaude.LoadHarness signing [--events 500] [--pulls 100]\n" +
        "  signing                 what the fleet key costs: two daemon pairs in their own processes, one with a key, side by side:\n" +
        "                          event latency p50/p99, pull latency, signing and checking one entry in process\n" +
        "  --events N              events per pair after 50 warm-up, 10-10000 (default 500)\n" +
        "  --pulls N               hub Refresh calls per pair after 10 warm-up, 10-1000 (default 100)";

    public static async Task<int> Main(string[] args)
    {
        switch (args.Length == 0 ? "" : args[0])
        {
            case "snapshot":
                return await SnapshotAsync(args);
            case "transport":
                return await TransportAsync(args);
            case "criteria":
                return await CriteriaAsync(args);
            case "peer":
                return await PeerAsync(args);
            case "idle":
                return await IdleAsync(args);
            case "micro":
                return MicroBenchmarks.Run(args[1..]);
            case "agents":
                return await AgentsAsync(args);
            case "access":
                return await AccessAsync(args);
            case "soak":
                return await SoakAsync(args);
            case "remote":
                return await RemoteAsync(args);
            case "signing":
                return await SigningAsync(args);
            default:
                await Console.Error.WriteLineAsync(Usage);
                return 2;
        }
    }

    private static async Task<int> SnapshotAsync(string[] args)
    {
        int? iterations = null;
        var flags = new HarnessFlags($"--iterations takes a whole number from 1 to {MaxIterations}.")
            .Int("--iterations", 1, MaxIterations, n => iterations = n);
        if (!flags.TryParse(args, out var bad, out var hint))
        {
            return await BadArgumentAsync(bad, hint);
        }

        await SnapshotBenchmark.RunAsync(iterations);
        return 0;
    }

    private static async Task<int> TransportAsync(string[] args)
    {
        IReadOnlyList<int> remotes = [2, 10];
        var sessions = 50;
        var runs = 10;
        var window = 30;
        var flags = new HarnessFlags(SeeUsage)
            .IntList("--remotes", 1, 20, list => remotes = list, "--remotes takes a comma-separated list of whole numbers from 1 to 20, e.g. 2,10.")
            .Int("--sessions-per-remote", 1, 1000, s => sessions = s)
            .Int("--runs", 1, 100, r => runs = r)
            .Int("--window", 5, 120, w => window = w);
        if (!flags.TryParse(args, out var bad, out var hint))
        {
            return await BadArgumentAsync(bad, hint);
        }

        await TransportBenchmark.RunAsync(new TransportSettings(
            remotes, sessions, runs, Math.Max(1, runs / 2), Events: 200, IdleWindow: TimeSpan.FromSeconds(window)));
        return 0;
    }

    private static async Task<int> AgentsAsync(string[] args)
    {
        IReadOnlyList<int> sessions = [0, 20, 100];
        var window = TimeSpan.FromSeconds(15);
        var samples = 200;
        string? daemon = null;
        var flags = new HarnessFlags("agents takes --sessions 0,20,100 (each 0-500), --window S (5-120), --samples N (0-2000), --daemon PATH/TeleClaude.Daemon.dll.")
            .IntList("--sessions", 0, 500, list => sessions = list)
            .Int("--window", 5, 120, w => window = TimeSpan.FromSeconds(w))
            .Int("--samples", 0, 2000, s => samples = s)
            .ExistingFile("--daemon", path => daemon = path);
        if (!flags.TryParse(args, out var bad, out var hint))
        {
            return await BadArgumentAsync(bad, hint);
        }

        await AgentsBenchmark.RunAsync(sessions, window, samples, daemon);
        return 0;
    }

    private static async Task<int> CriteriaAsync(string[] args)
    {
        IReadOnlyList<int> remotes = [2, 10, 50];
        var sessions = 20;
        IReadOnlyList<int> clients = [1, 10, 100];
        IReadOnlyList<int> rates = [10, 100, 1000];
        var flags = new HarnessFlags(SeeUsage)
            .IntList("--remotes", 1, 50, list => remotes = list)
            .Int("--sessions-per-remote", 1, 200, s => sessions = s)
            .IntList("--clients", 1, 200, list => clients = list)
            .IntList("--rates", 1, 5000, list => rates = list);
        if (!flags.TryParse(args, out var bad, out var hint))
        {
            return await BadArgumentAsync(bad, hint);
        }

        await CriteriaBenchmark.RunAsync(new CriteriaSettings(
            remotes, sessions, clients, rates, PreparationRuns: 5, RateWindow: TimeSpan.FromSeconds(5), FanOutEvents: 100, FanOutRate: 20, ProfileEvents: 100));
        return 0;
    }

    private static async Task<int> PeerAsync(string[] args)
    {
        int sessions = 20, rounds = 20, events = 500, online = 20;
        var flags = new HarnessFlags(SeeUsage)
            .Int("--sessions", 1, 1000, s => sessions = s)
            .Int("--rounds", 1, 200, r => rounds = r)
            .Int("--events", 1, 10000, e => events = e)
            .Int("--online", 1, 50, o => online = o);
        if (!flags.TryParse(args, out var bad, out var hint))
        {
            return await BadArgumentAsync(bad, hint);
        }

        await PeerBenchmark.RunAsync(new PeerSettings(sessions, rounds, events, online));
        return 0;
    }

    private static async Task<int> IdleAsync(string[] args)
    {
        var window = 120;
        string? baseline = null;
        var flags = new HarnessFlags("--window takes 10-600 seconds; --baseline an existing TeleClaude.Daemon.dll.")
            .Int("--window", 10, 600, w => window = w)
            .ExistingFile("--baseline", path => baseline = path);
        if (!flags.TryParse(args, out var bad, out var hint))
        {
            return await BadArgumentAsync(bad, hint);
        }

        await IdleTrafficBenchmark.RunAsync(new IdleSettings(TimeSpan.FromSeconds(window), baseline));
        return 0;
    }

    private static async Task<int> AccessAsync(string[] args)
    {
        var requests = 5000;
        var flags = new HarnessFlags("--requests takes a whole number from 100 to 100000.")
            .Int("--requests", 100, 100_000, n => requests = n);
        if (!flags.TryParse(args, out var bad, out var hint))
        {
            return await BadArgumentAsync(bad, hint);
        }

        await AccessBenchmark.RunAsync(requests);
        return 0;
    }

    private static async Task<int> SoakAsync(string[] args)
    {
        var rate = 50;
        var minutes = 5;
        var sessions = 10;
        var flags = new HarnessFlags(SeeUsage)
            .Int("--rate", 1, 1000, r => rate = r)
            .Int("--minutes", 1, 240, m => minutes = m)
            .Int("--sessions", 1, 100, s => sessions = s);
        if (!flags.TryParse(args, out var bad, out var hint))
        {
            return await BadArgumentAsync(bad, hint);
        }

        await SoakBenchmark.RunAsync(new SoakSettings(rate, minutes, sessions));
        return 0;
    }

    private static async Task<int> RemoteAsync(string[] args)
    {
        var samples = 200;
        var window = 20;
        var flags = new HarnessFlags(SeeUsage)
            .Int("--samples", 10, 2000, s => samples = s)
            .Int("--window", 5, 120, w => window = w);
        if (!flags.TryParse(args, out var bad, out var hint))
        {
            return await BadArgumentAsync(bad, hint);
        }

        await RemoteBenchmark.RunAsync(new RemoteSettings(samples, TimeSpan.FromSeconds(window)));
        return 0;
    }

    private static async Task<int> SigningAsync(string[] args)
    {
        var events = 500;
        var pulls = 100;
        var flags = new HarnessFlags(SeeUsage)
            .Int("--events", 10, 10_000, e => events = e)
            .Int("--pulls", 10, 1000, p => pulls = p);
        if (!flags.TryParse(args, out var bad, out var hint))
        {
            return await BadArgumentAsync(bad, hint);
        }

        await SigningBenchmark.RunAsync(new SigningSettings(events, pulls));
        return 0;
    }

    private static async Task<int> BadArgumentAsync(string argument, string hint)
    {
        await Console.Error.WriteLineAsync($"Bad argument '{argument}': {hint}");
        await Console.Error.WriteLineAsync(Usage);
        return 2;
    }
}
