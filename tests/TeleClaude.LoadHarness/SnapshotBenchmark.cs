using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Hubs;

namespace TeleClaude.LoadHarness;

/// <summary>
/// Boots the real daemon in-process on a temp Unix socket, fills its cache with one remote computer's
/// sessions, and times the three ways a client reads the full session list.
/// </summary>
internal static class SnapshotBenchmark
{
    private const string RemoteComputer = "remote-1";

    /// <summary>Measuring time per probe and size; a size stops early when its probes used it up, and reports the rounds it did.</summary>
    private static readonly TimeSpan RoundsBudgetPerProbe = TimeSpan.FromSeconds(10);

    /// <summary>Shortest warm-up per size (all paths, round-robin).</summary>
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(2);

    private const int WarmUpMaxRounds = 500;

    /// <summary>Longest wait for one snapshot; a miss is a failure, not a slow sample.</summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    private static readonly (int Sessions, int DefaultIterations)[] Sizes = [(1_000, 200), (10_000, 50)];

    private static readonly HubProtocolKind[] Protocols = [HubProtocolKind.Json, HubProtocolKind.MessagePack];

    /// <summary>One timed read path; <see cref="Once"/> returns milliseconds.</summary>
    private sealed record Probe(string Path, string Protocol, Func<Task<double>> Once);

    public static async Task RunAsync(int? iterations)
    {
        var started = Stopwatch.GetTimestamp();
        var rows = new List<ResultRow>();
        var payloads = new List<string>();
        var dir = Directory.CreateTempSubdirectory("tcbench-");
        try
        {
            var socket = Path.Combine(dir.FullName, "daemon.sock");
            var db = Path.Combine(dir.FullName, "daemon.db");
            var app = TeleClaudeDaemon.Build(["--socket", socket, "--db", db, "--computer", "bench"], b =>
            {
                b.Logging.SetMinimumLevel(LogLevel.Warning);
                // Keep stdout for the table: whatever the daemon logs goes to stderr.
                b.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            });
            await using (app)
            {
                await app.StartAsync();
                var cache = app.Services.GetRequiredService<DaemonCache>();
                var counters = app.Services.GetRequiredService<HubCounters>();
                using var rest = new TeleClaudeRestClient(socket);

                foreach (var (sessions, defaultIterations) in Sizes)
                {
                    Progress($"loading {sessions:N0} remote sessions");
                    cache.UpsertComputer(new ComputerInfo(
                        RemoteComputer, ComputerStatus.Online, DateTimeOffset.UtcNow, "bench", "remote-1.example", new SystemStats(12.5, 41.0, 63.2), IsLocal: false));
                    cache.ReplaceRemoteSessions(RemoteComputer, MakeSessions(sessions));
                    // ReplaceRemoteSessions publishes one change per new session; let the push loop drain
                    // them before timing anything, so it does not compete for the CPU.
                    await WaitForPushesToSettleAsync(counters);
                    payloads.Add(await DescribePayloadsAsync(app, cache, rest, sessions));

                    var probes = new List<Probe> { new("REST GET /sessions", "JSON", () => RestReadAsync(rest, sessions)) };
                    var connected = new List<SessionsHubClient>();
                    try
                    {
                        foreach (var protocol in Protocols)
                        {
                            var receiver = new SnapshotReceiver();
                            var client = SessionsHubClient.Create(socket, receiver, protocol);
                            connected.Add(client);
                            await client.StartAsync();
                            probes.Add(new("hub Subscribe, connected client", Name(protocol), () => ResubscribeAsync(client, receiver, sessions)));
                        }

                        foreach (var protocol in Protocols)
                        {
                            probes.Add(new("hub new client: connect + Subscribe", Name(protocol), () => NewClientAsync(socket, protocol, sessions)));
                        }

                        rows.AddRange(await MeasureAsync(sessions, iterations ?? defaultIterations, probes));
                    }
                    finally
                    {
                        foreach (var client in connected)
                        {
                            await client.DisposeAsync();
                        }
                    }
                }

                await app.StopAsync();
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        Print(rows, payloads, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Sessions shaped like real ones: short ids and titles, a path, a one-line input and a few lines of output.</summary>
    private static SessionInfo[] MakeSessions(int count)
    {
        var epoch = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var output = string.Join('\n', Enumerable.Range(1, 4).Select(i => $"step {i}: updated the parser and re-ran the tests, all green"));
        return Enumerable.Range(0, count).Select(i => new SessionInfo(
            SessionId: $"{i:x8}0000000000000000000000aa",
            Computer: RemoteComputer,
            Title: $"Session {i}: fix flaky integration test",
            ProjectPath: $"/home/bench/code/project-{i % 25:D2}",
            Status: (i % 3) switch { 0 => SessionStatus.Active, 1 => SessionStatus.Idle, _ => SessionStatus.Starting },
            Agent: (i % 2) == 0 ? "claude" : "codex",
            CreatedAt: epoch.AddMinutes(i),
            LastActivity: epoch.AddMinutes(i + 5),
            LastInput: "please run the test suite and fix what fails",
            LastOutput: output)).ToArray();
    }

    /// <summary>(a) GET /sessions on a kept-alive connection, body fully deserialized.</summary>
    private static async Task<double> RestReadAsync(TeleClaudeRestClient rest, int sessions)
    {
        var start = Stopwatch.GetTimestamp();
        var list = await rest.ListSessionsAsync().WaitAsync(ReadTimeout);
        var end = Stopwatch.GetTimestamp();
        Check(sessions, list.Count);
        return Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
    }

    /// <summary>(b) Subscribe on an already-connected client until SessionsState arrives; the Unsubscribe after it is not timed.</summary>
    private static async Task<double> ResubscribeAsync(SessionsHubClient client, SnapshotReceiver receiver, int sessions)
    {
        var arrival = receiver.Expect();
        var start = Stopwatch.GetTimestamp();
        await client.Subscribe(Views.Sessions).WaitAsync(ReadTimeout);
        var state = await arrival.WaitAsync(ReadTimeout);
        Check(sessions, state.Sessions);
        await client.Unsubscribe(Views.Sessions).WaitAsync(ReadTimeout);
        return Stopwatch.GetElapsedTime(start, state.Timestamp).TotalMilliseconds;
    }

    /// <summary>(c) A new client: create, connect (negotiate + WebSocket + handshake) and Subscribe until SessionsState arrives; disposal is not timed.</summary>
    private static async Task<double> NewClientAsync(string socket, HubProtocolKind protocol, int sessions)
    {
        var receiver = new SnapshotReceiver();
        var start = Stopwatch.GetTimestamp();
        var client = SessionsHubClient.Create(socket, receiver, protocol);
        await using (client)
        {
            await client.StartAsync().WaitAsync(ReadTimeout);
            var arrival = receiver.Expect();
            await client.Subscribe(Views.Sessions).WaitAsync(ReadTimeout);
            var state = await arrival.WaitAsync(ReadTimeout);
            Check(sessions, state.Sessions);
            return Stopwatch.GetElapsedTime(start, state.Timestamp).TotalMilliseconds;
        }
    }

    /// <summary>
    /// Runs the probes round-robin, one sample of each per round, so background load on a shared machine
    /// hits every path alike and the ratios within one run stay comparable.
    /// </summary>
    private static async Task<List<ResultRow>> MeasureAsync(int sessions, int iterations, List<Probe> probes)
    {
        // At least a tenth of the rounds and at least WarmUpTime, so tiered JIT has promoted the hot paths.
        Progress($"{sessions:N0} sessions: warm-up");
        var warmUp = Math.Clamp(iterations / 10, 3, 20);
        var warmUpStarted = Stopwatch.GetTimestamp();
        for (var i = 0; i < warmUp || (Stopwatch.GetElapsedTime(warmUpStarted) < WarmUpTime && i < WarmUpMaxRounds); i++)
        {
            foreach (var probe in probes)
            {
                await probe.Once();
            }
        }

        Progress($"{sessions:N0} sessions: measuring {iterations} rounds of {probes.Count} probes");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var samples = probes.Select(_ => new List<double>(iterations)).ToArray();
        var budget = RoundsBudgetPerProbe * probes.Count;
        var started = Stopwatch.GetTimestamp();
        for (var round = 0; round < iterations; round++)
        {
            for (var p = 0; p < probes.Count; p++)
            {
                samples[p].Add(await probes[p].Once());
            }

            if (round + 1 < iterations && Stopwatch.GetElapsedTime(started) > budget)
            {
                Progress($"  time budget of {budget.TotalSeconds:0} s reached after {round + 1} rounds");
                break;
            }
        }

        return probes.Select((probe, p) =>
        {
            var sorted = samples[p];
            sorted.Sort();
            return new ResultRow(sessions, probe.Path, probe.Protocol, Stats.Median(sorted), Stats.Percentile(sorted, 99), sorted.Count);
        }).ToList();
    }

    private static async Task WaitForPushesToSettleAsync(HubCounters counters)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(30 * Stopwatch.Frequency);
        long Handled()
        {
            var snapshot = counters.Snapshot(0);
            return snapshot["pushes"] + snapshot["push_failures"];
        }

        var last = Handled();
        var quiet = 0;
        while (quiet < 3 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(100);
            var now = Handled();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }

    /// <summary>Bytes on the wire per snapshot read: the REST body and the hub invocation frame in each protocol.</summary>
    private static async Task<string> DescribePayloadsAsync(WebApplication app, DaemonCache cache, TeleClaudeRestClient rest, int sessions)
    {
        var body = await rest.Http.GetByteArrayAsync(new Uri("sessions", UriKind.Relative));
        var snapshot = new SessionsSnapshot(cache.GetComputers(), await cache.GetSessionsAsync(CancellationToken.None), DateTimeOffset.UtcNow);
        var frame = new InvocationMessage(nameof(ISessionsClient.SessionsState), [snapshot]);
        var sizes = app.Services.GetServices<IHubProtocol>()
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"hub {Name(p.Name)} frame {Kib(p.GetMessageBytes(frame).Length)}");
        return $"{sessions:N0} sessions: REST body {Kib(body.Length)}, {string.Join(", ", sizes)}";
    }

    private static void Check(int expected, int actual)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"Expected {expected} sessions in the snapshot, got {actual}.");
        }
    }

    private static string Name(HubProtocolKind protocol) => protocol == HubProtocolKind.Json ? "JSON" : "MessagePack";

    private static string Name(string protocolName) => protocolName switch
    {
        "json" => "JSON",
        "messagepack" => "MessagePack",
        _ => protocolName,
    };

    private static string Kib(int bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:N0} KiB");

    private static void Progress(string message) => Console.Error.WriteLine($"[harness] {message}");

    private static void Print(List<ResultRow> rows, List<string> payloads, TimeSpan elapsed)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("## Snapshot reads");
        sb.AppendLine();
        sb.AppendLine(inv, $"Machine: {MachineInfo.Describe()}");
        sb.AppendLine(inv, $"Run: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalSeconds:0} s in total. Daemon and clients share one process and one Unix socket.");
        sb.AppendLine();
        sb.AppendLine("| sessions | path | protocol | median ms | p99 ms | iterations |");
        sb.AppendLine("|---:|---|---|---:|---:|---:|");
        foreach (var r in rows)
        {
            sb.AppendLine(inv, $"| {r.Sessions:N0} | {r.Path} | {r.Protocol} | {r.MedianMs:0.00} | {r.P99Ms:0.00} | {r.Iterations} |");
        }

        sb.AppendLine();
        sb.AppendLine("p99 is nearest-rank: with fewer than 100 iterations it is the slowest sample.");
        sb.AppendLine("Paths run round-robin (one sample of each per round), so background load hits all alike. Every read is checked to hold all sessions and is timed through client-side deserialization. Payloads per read:");
        foreach (var p in payloads)
        {
            sb.AppendLine(inv, $"- {p}");
        }

        Console.Out.Write(sb.ToString());
    }
}
