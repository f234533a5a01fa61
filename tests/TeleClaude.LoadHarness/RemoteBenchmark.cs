using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using TeleClaude.Client;
using TeleClaude.Contracts;

namespace TeleClaude.LoadHarness;

/// <summary>Settings of one <c>remote</c> run.</summary>
internal sealed record RemoteSettings(int Samples, TimeSpan Window);

/// <summary>
/// The <c>remote</c> mode (issue 11's remote parts): two daemons in their own processes on one redis-server, B (the owner,
/// running the sessions) and A (the watcher); one SignalR client in the harness on each, both subscribed to sessions.
/// <list type="number">
/// <item>Output change → watcher push: a watched session's agent on B prints what the harness writes into a FIFO; from the
/// write to the <c>SessionOutput</c> that shows it on A's client (remote: B's capture, the screen stream, A's blocking
/// reader, A's hub) and, for the same change, on B's client (local), so the two compare within one run.</item>
/// <item>Hook fired → status change: the curl hook script run by the harness with B's session's id and secret, a
/// PermissionRequest or a Stop payload; from the process start to the status push on A's client (the status travels in
/// <c>session_updated</c> events) and on B's.</item>
/// <item>Redis traffic of one watched session: with an agent on B printing a line every 200 ms, Redis's own counters
/// (commands, bytes in and out) over a window with nobody watching, with A's client watching it, with A's client
/// watching an idle session (only the lease renewals), and with nobody watching again.</item>
/// </list>
/// </summary>
internal static class RemoteBenchmark
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(RemoteSettings settings)
    {
        var started = Stopwatch.StartNew();
        var loadBefore = MachineInfo.LoadAverage();
        var startedAt = DateTimeOffset.UtcNow;
        var scratch = Directory.CreateTempSubdirectory("tcb-remote-");
        Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", scratch.FullName);
        var project = Directory.CreateDirectory(Path.Combine(scratch.FullName, "project")).FullName;
        var fifo = Path.Combine(scratch.FullName, "printer.fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
        }

        try
        {
            Progress("starting redis-server and daemons B (owner) and A (watcher) as child processes");
            await using var redis = await HarnessRedis.StartAsync();
            using var raw = await redis.ConnectAsync();
            await using var b = await ChildDaemon.StartAsync("owner-b", redis.Configuration, HeartbeatInterval, extraArgs: DaemonArgs(project, fifo));
            await using var a = await ChildDaemon.StartAsync("watcher-a", redis.Configuration, HeartbeatInterval, extraArgs: DaemonArgs(project, fifo));
            using var restA = a.Rest();
            using var restB = b.Rest();

            var onA = new Receiver();
            var onB = new Receiver();
            await using var clientA = SessionsHubClient.Create(a.SocketPath, onA);
            await using var clientB = SessionsHubClient.Create(b.SocketPath, onB);
            await clientA.StartAsync().WaitAsync(WaitTimeout);
            await clientB.StartAsync().WaitAsync(WaitTimeout);
            await clientA.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
            await clientB.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);

            Progress("creating sessions on B; waiting until their events reach A");
            var printer = await restB.CreateSessionAsync(new CreateSessionRequest(project, "printer", "printer")).WaitAsync(WaitTimeout);
            var hooked = await restB.CreateSessionAsync(new CreateSessionRequest(project, "hooked", "bash")).WaitAsync(WaitTimeout);
            await WarmUpAsync(restB, onA, hooked);
            // A new .NET process spends its first seconds compiling (tiered JIT): measure after it settled.
            await Task.Delay(TimeSpan.FromSeconds(5));

            Progress($"output change → watcher push: {settings.Samples} samples");
            await clientA.Watch(printer.SessionId).WaitAsync(WaitTimeout);
            await clientB.Watch(printer.SessionId).WaitAsync(WaitTimeout);
            var (remoteOutput, localOutput) = await OutputLatencyAsync(fifo, printer.SessionId, onA, onB, settings.Samples);
            await clientA.Unwatch(printer.SessionId).WaitAsync(WaitTimeout);
            await clientB.Unwatch(printer.SessionId).WaitAsync(WaitTimeout);

            Progress($"hook fired → status change: {settings.Samples} samples");
            var environment = await HookEnvironmentAsync(b, hooked.SessionId);
            var (remoteHook, localHook, hookProcess) = await HookLatencyAsync(b, hooked.SessionId, environment, onA, onB, settings.Samples);

            Progress($"Redis traffic, {settings.Window.TotalSeconds:0} s windows");
            var ticker = await restB.CreateSessionAsync(new CreateSessionRequest(project, "ticker", "ticker")).WaitAsync(WaitTimeout);
            await WaitUntilKnownAsync(restA, ticker.SessionId);
            await Task.Delay(TimeSpan.FromSeconds(3));
            var traffic = new List<TrafficRow>();
            traffic.Add(await TrafficAsync(raw, restB, onA, "nobody watches (A's and B's clients subscribed to sessions)", settings.Window));
            await clientA.Watch(ticker.SessionId).WaitAsync(WaitTimeout);
            await Task.Delay(TimeSpan.FromSeconds(2));
            traffic.Add(await TrafficAsync(raw, restB, onA, "A's client watches the printing session", settings.Window));
            await clientA.Unwatch(ticker.SessionId).WaitAsync(WaitTimeout);
            await clientA.Watch(hooked.SessionId).WaitAsync(WaitTimeout);
            await Task.Delay(TimeSpan.FromSeconds(2));
            traffic.Add(await TrafficAsync(raw, restB, onA, "A's client watches an idle session (lease renewals only)", settings.Window));
            await clientA.Unwatch(hooked.SessionId).WaitAsync(WaitTimeout);
            await Task.Delay(TimeSpan.FromSeconds(2));
            traffic.Add(await TrafficAsync(raw, restB, onA, "nobody watches again", settings.Window));

            Print(settings, startedAt, started.Elapsed, loadBefore, MachineInfo.LoadAverage(),
                [
                    ("output change → SessionOutput on A's client (remote watcher)", remoteOutput),
                    ("the same change → SessionOutput on B's client (local watcher)", localOutput),
                    ("hook fired on B (curl script) → status on A's client (remote)", remoteHook),
                    ("the same hook → status on B's client (local)", localHook),
                    ("  of which the hook process itself (start → exit)", hookProcess),
                ],
                traffic);
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

    private static string[] DaemonArgs(string project, string fifo) =>
    [
        $"--TeleClaude:Projects:0:Path={project}",
        "--TeleClaude:Agents:bash:Command:0=bash",
        "--TeleClaude:Agents:printer:Command:0=sh", "--TeleClaude:Agents:printer:Command:1=-c",
        "--TeleClaude:Agents:printer:Command:2=while :; do cat \"$0\"; done", $"--TeleClaude:Agents:printer:Command:3={fifo}",
        "--TeleClaude:Agents:ticker:Command:0=sh", "--TeleClaude:Agents:ticker:Command:1=-c",
        "--TeleClaude:Agents:ticker:Command:2=while :; do date +%T.%N; sleep 0.2; done",
        "--TeleClaude:Redis:HeartbeatTtl=00:00:06",
        "--TeleClaude:Cache:ComputerTtl=00:00:06",
    ];

    /// <summary>Changes on B until one reaches A's client: B has seen A's interest and the event path works.</summary>
    private static async Task WarmUpAsync(TeleClaudeRestClient restB, Receiver onA, SessionInfo session)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(WaitTimeout.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; ; i++)
        {
            var title = "warm-" + i.ToString(CultureInfo.InvariantCulture);
            var seen = onA.Expect(o => o is SessionInfo s && s.SessionId == session.SessionId && s.Title == title);
            await restB.UpdateSessionAsync(session.SessionId, new UpdateSessionRequest(Title: title)).WaitAsync(WaitTimeout);
            if (await Task.WhenAny(seen, Task.Delay(500)) == seen)
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("No change on B reached the client on A during the warm-up.");
            }
        }
    }

    private static async Task WaitUntilKnownAsync(TeleClaudeRestClient restA, string sessionId)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(WaitTimeout.TotalSeconds * Stopwatch.Frequency);
        while ((await restA.ListSessionsAsync()).All(s => s.SessionId != sessionId))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"A never learned of session {sessionId}.");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<(List<double> Remote, List<double> Local)> OutputLatencyAsync(string fifo, string sessionId, Receiver onA, Receiver onB, int samples)
    {
        var remote = new List<double>();
        var local = new List<double>();
        for (var i = -10; i < samples; i++)
        {
            var marker = $"MARK-{i + 1000}-{Guid.NewGuid():N}"[..20];
            bool Match(object o) => o is SessionOutput s && s.SessionId == sessionId && s.Screen.Contains(marker, StringComparison.Ordinal);
            var seenA = onA.Expect(Match);
            var seenB = onB.Expect(Match);
            var t0 = Stopwatch.GetTimestamp();
            await File.AppendAllTextAsync(fifo, marker + "\n");
            var atA = await seenA.WaitAsync(TimeSpan.FromSeconds(10));
            var atB = await seenB.WaitAsync(TimeSpan.FromSeconds(10));
            if (i >= 0)
            {
                remote.Add(Stopwatch.GetElapsedTime(t0, atA).TotalMilliseconds);
                local.Add(Stopwatch.GetElapsedTime(t0, atB).TotalMilliseconds);
            }

            await Task.Delay(150); // each change after quiet, as a person's agent prints
        }

        return (remote, local);
    }

    private static async Task<(List<double> Remote, List<double> Local, List<double> Process)> HookLatencyAsync(
        ChildDaemon b, string sessionId, IReadOnlyDictionary<string, string> environment, Receiver onA, Receiver onB, int samples)
    {
        const string permission = """{"hook_event_name":"PermissionRequest","tool_name":"Bash","tool_input":{"command":"make test"}}""";
        const string stop = """{"hook_event_name":"Stop","last_assistant_message":"done"}""";
        var script = Path.Combine(b.Directory, "agents", "teleclaude-hook.sh");
        var remote = new List<double>();
        var local = new List<double>();
        var process = new List<double>();
        for (var i = -4; i < samples; i++)
        {
            var waiting = i % 2 == 0;
            var status = waiting ? SessionStatus.Waiting : SessionStatus.Idle;
            bool Match(object o) => o is SessionInfo s && s.SessionId == sessionId && s.Status == status;
            var seenA = onA.Expect(Match);
            var seenB = onB.Expect(Match);
            var start = new ProcessStartInfo("sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add("claude");
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            var t0 = Stopwatch.GetTimestamp();
            using (var hook = Process.Start(start)!)
            {
                await hook.StandardInput.WriteAsync(waiting ? permission : stop);
                hook.StandardInput.Close();
                await hook.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }

            var exited = Stopwatch.GetTimestamp();
            var atA = await seenA.WaitAsync(TimeSpan.FromSeconds(10));
            var atB = await seenB.WaitAsync(TimeSpan.FromSeconds(10));
            if (i >= 0)
            {
                remote.Add(Stopwatch.GetElapsedTime(t0, atA).TotalMilliseconds);
                local.Add(Stopwatch.GetElapsedTime(t0, atB).TotalMilliseconds);
                process.Add(Stopwatch.GetElapsedTime(t0, exited).TotalMilliseconds);
            }

            await Task.Delay(50);
        }

        return (remote, local, process);
    }

    private static async Task<IReadOnlyDictionary<string, string>> HookEnvironmentAsync(ChildDaemon daemon, string sessionId)
    {
        var environment = new Dictionary<string, string>();
        foreach (var name in new[] { "TELECLAUDE_SOCKET", "TELECLAUDE_SESSION_ID", "TELECLAUDE_HOOK_SECRET" })
        {
            var start = new ProcessStartInfo("tmux", ["-L", daemon.TmuxSocket, "show-environment", "-t", "tc-" + sessionId, name]) { RedirectStandardOutput = true };
            using var tmux = Process.Start(start)!;
            var line = (await tmux.StandardOutput.ReadToEndAsync()).Trim();
            await tmux.WaitForExitAsync();
            environment[name] = line[(name.Length + 1)..];
        }

        return environment;
    }

    private sealed record TrafficRow(string Phase, double Seconds, long Commands, long BytesIn, long BytesOut, long Xadds, long ScreenEntries, long ScreenBytes, long Events, int Pushes);

    /// <summary>Redis's counters (reset at the start) and B's screen counters over one window.</summary>
    private static async Task<TrafficRow> TrafficAsync(RawRedisClient raw, TeleClaudeRestClient restB, Receiver onA, string phase, TimeSpan window)
    {
        var before = (await restB.DiagnosticsAsync()).Counters;
        var pushesBefore = onA.Outputs;
        await raw.CommandAsync("CONFIG", "RESETSTAT");
        var t0 = Stopwatch.GetTimestamp();
        await Task.Delay(window);
        var info = await raw.CommandAsync("INFO", "everything") ?? "";
        var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var after = (await restB.DiagnosticsAsync()).Counters;
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        long xadds = 0;
        foreach (var line in info.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            if (line.StartsWith("cmdstat_xadd:", StringComparison.Ordinal))
            {
                xadds = long.Parse(line[(colon + 1)..].Split(',')[0]["calls=".Length..], CultureInfo.InvariantCulture);
            }
            else if (long.TryParse(line.AsSpan(colon + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                values[line[..colon]] = value;
            }
        }

        long Delta(string name) => after.GetValueOrDefault(name) - before.GetValueOrDefault(name);
        // The harness's own CONFIG RESETSTAT is counted after the reset; INFO does not count itself.
        return new TrafficRow(phase, seconds, values["total_commands_processed"] - 1, values["total_net_input_bytes"], values["total_net_output_bytes"], xadds,
            Delta("screen_entries_sent"), Delta("screen_bytes_sent"), Delta("events_sent"), onA.Outputs - pushesBefore);
    }

    private static void Print(
        RemoteSettings settings, DateTimeOffset startedAt, TimeSpan elapsed, string loadBefore, string loadAfter,
        IReadOnlyList<(string What, List<double> Samples)> latencies, IReadOnlyList<TrafficRow> traffic)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(inv, $"Machine: {MachineInfo.Describe()}");
        text.AppendLine(inv, $"Run: {startedAt:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalSeconds:0} s; load average {loadBefore} before, {loadAfter} after.");
        text.AppendLine(inv, $"Setup: daemons B (owner) and A (watcher) as child processes (`dotnet TeleClaude.Daemon.dll`, server GC, default Sessions and " +
            $"Redis settings but a {HeartbeatInterval.TotalSeconds:0} s heartbeat), one redis-server on loopback, a JSON SignalR client in the harness on each daemon, subscribed to sessions.");
        text.AppendLine();
        text.AppendLine("### Latencies");
        text.AppendLine();
        text.AppendLine("| what | samples | p50 ms | p90 ms | p99 ms | max ms |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (what, samples) in latencies)
        {
            samples.Sort();
            text.AppendLine(inv, $"| {what} | {samples.Count} | {Stats.Median(samples):0.00} | {Stats.Percentile(samples, 90):0.00} | {Stats.Percentile(samples, 99):0.00} | {samples[^1]:0.00} |");
        }

        text.AppendLine();
        text.AppendLine(inv, $"### Redis traffic of one watched session ({settings.Window.TotalSeconds:0} s windows; B's `ticker` agent prints a line every 200 ms throughout)");
        text.AppendLine();
        text.AppendLine("| phase | commands/s | bytes in/s | bytes out/s | XADD/s | screen entries/s (B) | screen bytes/s (B) | session events/s (B → A) | SessionOutput pushes on A |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in traffic)
        {
            text.AppendLine(inv,
                $"| {row.Phase} | {row.Commands / row.Seconds:0.0} | {row.BytesIn / row.Seconds:N0} | {row.BytesOut / row.Seconds:N0} | {row.Xadds / row.Seconds:0.0} | {row.ScreenEntries / row.Seconds:0.0} | {row.ScreenBytes / row.Seconds:N0} | {row.Events / row.Seconds:0.0} | {row.Pushes} |");
        }

        text.AppendLine();
        text.AppendLine("Counted by redis-server (INFO after CONFIG RESETSTAT; the harness's RESETSTAT left out): everything both daemons sent and received, " +
            "heartbeats and session events included. Screen entries and bytes (field names and values) are B's own counters.");
        Console.Out.Write(text.ToString());
    }

    private static void Progress(string message) => Console.Error.WriteLine($"[harness] {message}");

    /// <summary>Timestamps the pushes the harness waits for (taken first thing in the handler, after deserialization).</summary>
    private sealed class Receiver : PushReceiver
    {
        private readonly ConcurrentDictionary<Guid, (Func<object, bool> Match, TaskCompletionSource<long> Seen)> _waits = new();
        private int _outputs;

        public int Outputs => Volatile.Read(ref _outputs);

        public Task<long> Expect(Func<object, bool> match)
        {
            var seen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits[Guid.NewGuid()] = (match, seen);
            return seen.Task;
        }

        public override Task SessionOutput(SessionOutput output)
        {
            Interlocked.Increment(ref _outputs);
            return Seen(output);
        }

        public override Task SessionUpdated(SessionInfo session) => Seen(session);

        public override Task AgentEvent(AgentEventInfo agentEvent) => Seen(agentEvent.Session);

        private Task Seen(object payload)
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var (key, wait) in _waits)
            {
                if (wait.Match(payload) && _waits.TryRemove(key, out _))
                {
                    wait.Seen.TrySetResult(now);
                }
            }

            return Task.CompletedTask;
        }
    }
}
