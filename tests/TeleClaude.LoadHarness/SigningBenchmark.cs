using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using StackExchange.Redis;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Security;

namespace TeleClaude.LoadHarness;

/// <summary>Settings of one <c>signing</c> run.</summary>
internal sealed record SigningSettings(int Events, int Pulls);

/// <summary>
/// What the fleet key costs, measured side by side in one run: two pairs of daemons in their own processes
/// (<c>dotnet TeleClaude.Daemon.dll</c>), each pair on its own redis-server, one pair without a key and one with it.
/// A SignalR client in this process is subscribed to A of each pair. Event latency: a <c>PATCH /sessions/{id}</c> on B
/// (a unique title) until the client on A handles the <c>SessionUpdated</c> push, one event in flight, the pairs taking
/// turns (which goes first alternates). Pull latency: the hub's <c>Refresh("sessions")</c> on A (a signed
/// <c>list_sessions</c> request to B and B's signed answer) until the call returns, taking turns the same way. Then the
/// signing itself in this process: signing and checking one session event entry, and the bytes it adds.
/// </summary>
internal static class SigningBenchmark
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);
    private const int WarmUp = 50;
    private const int InProcessIterations = 20_000;

    private sealed class Pair(string label, ChildDaemon a, ChildDaemon b, EventReceiver receiver, SessionsHubClient client, SessionInfo session) : IAsyncDisposable
    {
        public string Label { get; } = label;

        public ChildDaemon A { get; } = a;

        public ChildDaemon B { get; } = b;

        public EventReceiver Receiver { get; } = receiver;

        public SessionsHubClient Client { get; } = client;

        public SessionInfo Session { get; } = session;

        public List<double> EventMs { get; } = [];

        public List<double> PullMs { get; } = [];

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await B.DisposeAsync();
            await A.DisposeAsync();
        }
    }

    public static async Task RunAsync(SigningSettings settings)
    {
        var loadBefore = MachineInfo.LoadAverage();
        var startedAt = DateTimeOffset.UtcNow;
        var scratch = Directory.CreateTempSubdirectory("tcb-signing-");
        Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", scratch.FullName);
        var project = Directory.CreateDirectory(Path.Combine(scratch.FullName, "project")).FullName;
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        try
        {
            await using var plainRedis = await HarnessRedis.StartAsync();
            await using var signedRedis = await HarnessRedis.StartAsync();
            Progress("starting two pairs of daemons as child processes (one pair with a fleet key)");
            await using var plain = await StartPairAsync("plain", plainRedis, project, []);
            await using var signed = await StartPairAsync("signed", signedRedis, project, [$"--TeleClaude:Redis:FleetKey={key}"]);
            Pair[] pairs = [plain, signed];

            Progress($"event latency: {WarmUp} warm-up + {settings.Events} events per pair, one in flight, taking turns");
            foreach (var pair in pairs)
            {
                pair.Receiver.Arm("ev-", WarmUp + settings.Events);
            }

            for (var i = 0; i < WarmUp + settings.Events; i++)
            {
                foreach (var pair in i % 2 == 0 ? pairs : pairs.Reverse())
                {
                    var ms = await EventAsync(pair, i);
                    if (i >= WarmUp)
                    {
                        pair.EventMs.Add(ms);
                    }
                }
            }

            Progress($"pull latency: {settings.Pulls} hub Refresh calls per pair, taking turns");
            for (var i = 0; i < settings.Pulls + 10; i++)
            {
                foreach (var pair in i % 2 == 0 ? pairs : pairs.Reverse())
                {
                    var at = Stopwatch.GetTimestamp();
                    await pair.Client.Refresh(Views.Sessions).WaitAsync(WaitTimeout);
                    if (i >= 10)
                    {
                        pair.PullMs.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                    }
                }
            }

            var counters = (await Counters(plain), await Counters(signed));
            Print(settings, startedAt, pairs, counters, InProcessCost(key), loadBefore, MachineInfo.LoadAverage());
        }
        finally
        {
            try
            {
                scratch.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<Pair> StartPairAsync(string label, HarnessRedis redis, string project, string[] keyArgs)
    {
        string[] args =
        [
            $"--TeleClaude:Projects:0:Path={project}",
            "--TeleClaude:Agents:claude:Command:0=sleep",
            "--TeleClaude:Agents:claude:Command:1=infinity",
            "--TeleClaude:Redis:HeartbeatTtl=00:00:06",
            "--TeleClaude:Cache:ComputerTtl=00:00:06",
            .. keyArgs,
        ];
        var a = await ChildDaemon.StartAsync($"{label}-a", redis.Configuration, HeartbeatInterval, extraArgs: args);
        var b = await ChildDaemon.StartAsync($"{label}-b", redis.Configuration, HeartbeatInterval, extraArgs: args);
        using var restB = b.Rest();
        var session = await restB.CreateSessionAsync(new CreateSessionRequest(project, $"{label} session", "claude")).WaitAsync(WaitTimeout);
        var receiver = new EventReceiver();
        var client = SessionsHubClient.Create(a.SocketPath, receiver);
        await client.StartAsync().WaitAsync(WaitTimeout);
        await client.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
        await receiver.FirstState.WaitAsync(WaitTimeout);
        var pair = new Pair(label, a, b, receiver, client, session);
        await WarmUpAsync(pair);
        return pair;
    }

    /// <summary>Changes on B until they reach A's client: B has seen A's interest and the whole path works.</summary>
    private static async Task WarmUpAsync(Pair pair)
    {
        Progress($"{pair.Label}: waiting until a change on B reaches the client on A");
        pair.Receiver.Arm("warm-", 1_000);
        using var restB = pair.B.Rest();
        var deadline = Stopwatch.GetTimestamp() + (long)(WaitTimeout.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; pair.Receiver.Received < 5; i++)
        {
            if (Stopwatch.GetTimestamp() > deadline || i >= 1_000)
            {
                throw new TimeoutException($"{pair.Label}: no change on B reached the client on A.");
            }

            await restB.UpdateSessionAsync(pair.Session.SessionId, new UpdateSessionRequest(Title: "warm-" + i.ToString(CultureInfo.InvariantCulture))).WaitAsync(WaitTimeout);
            await Task.Delay(100);
        }
    }

    /// <summary>One PATCH on B until its push is handled on A; the arrival time is taken in the push handler.</summary>
    private static async Task<double> EventAsync(Pair pair, int index)
    {
        using var restB = pair.B.Rest();
        var at = Stopwatch.GetTimestamp();
        await restB.UpdateSessionAsync(pair.Session.SessionId, new UpdateSessionRequest(Title: "ev-" + index.ToString(CultureInfo.InvariantCulture))).WaitAsync(WaitTimeout);
        var deadline = at + (long)(WaitTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Volatile.Read(ref pair.Receiver.Arrivals[index]) == 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{pair.Label}: event {index} did not arrive.");
            }

            await Task.Delay(1);
        }

        return Stopwatch.GetElapsedTime(at, pair.Receiver.Arrivals[index]).TotalMilliseconds;
    }

    private static async Task<(IReadOnlyDictionary<string, long> A, IReadOnlyDictionary<string, long> B)> Counters(Pair pair)
    {
        using var restA = pair.A.Rest();
        using var restB = pair.B.Rest();
        return ((await restA.DiagnosticsAsync().WaitAsync(WaitTimeout)).Counters, (await restB.DiagnosticsAsync().WaitAsync(WaitTimeout)).Counters);
    }

    private sealed record InProcess(double SignMicroseconds, double CheckMicroseconds, int EntryBytes, int SignatureBytes);

    /// <summary>Signing and checking one session event entry (a complete session, as the emitter writes it), in this process.</summary>
    private static InProcess InProcessCost(string key)
    {
        var keys = FleetKeys.From(key);
        var now = DateTimeOffset.UtcNow;
        var session = new SessionInfo("s-0123456789", "bench-b", "Fix the parser", "/home/me/code/app", SessionStatus.Active, "claude", now, now, "run the tests", "All 42 tests passed.");
        var fields = SessionEventCodec.Encode(SessionEventNames.SessionUpdated, session, null, "bench-b");
        const string stream = "session_events:bench-a";
        var signed = EntrySignature.Sign(keys, stream, fields, "bench-b", now);
        var entry = new StreamEntry($"{now.ToUnixTimeMilliseconds()}-0", signed);
        for (var i = 0; i < 2_000; i++)
        {
            EntrySignature.Sign(keys, stream, fields, "bench-b", now);
            EntrySignature.Check(keys, stream, entry);
        }

        // Rounds taking turns, the median round counted: the machine is shared, and one slow round must not decide.
        var signRounds = new List<double>();
        var checkRounds = new List<double>();
        const int perRound = InProcessIterations / 10;
        for (var round = 0; round < 10; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < perRound; i++)
            {
                EntrySignature.Sign(keys, stream, fields, "bench-b", now);
            }

            signRounds.Add(clock.Elapsed.TotalMicroseconds / perRound);
            clock.Restart();
            for (var i = 0; i < perRound; i++)
            {
                if (EntrySignature.Check(keys, stream, entry).Outcome != SignatureOutcome.Valid)
                {
                    throw new InvalidOperationException("The benchmark entry did not verify.");
                }
            }

            checkRounds.Add(clock.Elapsed.TotalMicroseconds / perRound);
        }

        signRounds.Sort();
        checkRounds.Sort();
        var sign = Stats.Median(signRounds);
        var check = Stats.Median(checkRounds);
        static int Bytes(IEnumerable<NameValueEntry> e) => e.Sum(f => ((byte[])f.Name!).Length + ((byte[])f.Value!).Length);
        return new InProcess(sign, check, Bytes(fields), Bytes(signed) - Bytes(fields));
    }

    private static void Print(
        SigningSettings settings,
        DateTimeOffset startedAt,
        Pair[] pairs,
        ((IReadOnlyDictionary<string, long> A, IReadOnlyDictionary<string, long> B) Plain, (IReadOnlyDictionary<string, long> A, IReadOnlyDictionary<string, long> B) Signed) counters,
        InProcess cost,
        string loadBefore,
        string loadAfter)
    {
        Console.WriteLine($"Machine: {MachineInfo.Describe()}");
        Console.WriteLine($"Run: {startedAt:yyyy-MM-dd HH:mm} UTC; load average before {loadBefore}, after {loadAfter}; {settings.Events} events and {settings.Pulls} pulls per pair after warm-up.");
        Console.WriteLine();
        Console.WriteLine("| Path | Without key p50 (ms) | With key p50 (ms) | Without key p99 (ms) | With key p99 (ms) | p50 ratio | p99 ratio |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Row("Event: PATCH on B → SessionUpdated on A's client", pairs[0].EventMs, pairs[1].EventMs);
        Row("Pull: hub Refresh(sessions) on A (request to B, B's answer)", pairs[0].PullMs, pairs[1].PullMs);
        Console.WriteLine();
        Console.WriteLine("| In this process (one session event entry) | Value |");
        Console.WriteLine("|---|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Sign (HMAC-SHA256 over the canonical fields, nonce, one key; median of 10 rounds) | {cost.SignMicroseconds:0.0} µs |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Check (signature only; age and replay are dictionary look-ups; median of 10 rounds) | {cost.CheckMicroseconds:0.0} µs |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Entry size without / added by the signature | {cost.EntryBytes} B / +{cost.SignatureBytes} B |"));
        Console.WriteLine();
        var (plainA, plainB) = counters.Plain;
        var (signedA, signedB) = counters.Signed;
        Console.WriteLine($"Signed pair: A verified {Get(signedA, FleetCounters.Verified)} and signed {Get(signedA, FleetCounters.Signed)}; B verified {Get(signedB, FleetCounters.Verified)} and signed {Get(signedB, FleetCounters.Signed)}; dropped on A/B: {Dropped(signedA)}/{Dropped(signedB)}. Plain pair signed {Get(plainA, FleetCounters.Signed) + Get(plainB, FleetCounters.Signed)}.");
    }

    private static void Row(string path, List<double> without, List<double> with)
    {
        without.Sort();
        with.Sort();
        var p50 = (Stats.Percentile(without, 50), Stats.Percentile(with, 50));
        var p99 = (Stats.Percentile(without, 99), Stats.Percentile(with, 99));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {path} | {p50.Item1:0.00} | {p50.Item2:0.00} | {p99.Item1:0.00} | {p99.Item2:0.00} | {p50.Item2 / p50.Item1:0.00} | {p99.Item2 / p99.Item1:0.00} |"));
    }

    private static long Get(IReadOnlyDictionary<string, long> counters, string name) => counters.TryGetValue(name, out var value) ? value : 0;

    private static long Dropped(IReadOnlyDictionary<string, long> counters) =>
        new[] { FleetCounters.DroppedUnsigned, FleetCounters.DroppedUnknownKey, FleetCounters.DroppedForged, FleetCounters.DroppedStale, FleetCounters.DroppedReplayed }.Sum(n => Get(counters, n));

    private static void Progress(string message) => Console.Error.WriteLine($"[harness] {message}");
}
