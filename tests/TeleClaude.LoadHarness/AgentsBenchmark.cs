using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using TeleClaude.Client;
using TeleClaude.Contracts;

namespace TeleClaude.LoadHarness;

/// <summary>
/// The <c>agents</c> mode (issue 11): a daemon in its own process, as a user runs it, with its own tmux server.
/// <list type="number">
/// <item>CPU of the daemon (itself, its finished children and its live children such as the tmux control client) and of
/// its tmux server, with 0, 20 and 100 live idle sessions whose agent is <c>bash</c> at its prompt.</item>
/// <item>Output change → watcher push: a watched session's agent prints what the harness writes into a FIFO; from the
/// write to the <c>SessionOutput</c> that shows it.</item>
/// <item>Hook fired → status change: the hook client (the curl script, and <c>TeleClaude.Daemon hook</c>) started by the
/// harness with a PermissionRequest or Stop payload; from the process start to the SessionUpdated/AgentEvent on a
/// subscribed client.</item>
/// <item>Agent exits → SessionTerminated: the agent's process is killed; from the kill to the push.</item>
/// </list>
/// </summary>
internal static class AgentsBenchmark
{
    public static async Task RunAsync(IReadOnlyList<int> sessionCounts, TimeSpan window, int samples, string? daemonDll)
    {
        var started = Stopwatch.StartNew();
        var load = File.ReadAllText("/proc/loadavg").Trim();
        Console.WriteLine(MachineInfo.Describe());
        Console.WriteLine($"Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {load} before. Daemon: {daemonDll ?? "this build"} (child process, server GC, own tmux server).");
        Console.WriteLine();

        Console.WriteLine("### 1. CPU with N live idle sessions (agent `bash` at its prompt)");
        Console.WriteLine();
        Console.WriteLine($"| live idle sessions | window s | daemon with children, % of one core | tmux server, % of one core | together | daemon RSS MiB | tmux output notifications / pane captures in the window |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        await using (var daemon = await BenchChild.StartAsync(daemonDll))
        {
            // A new .NET process spends its first seconds compiling (tiered JIT): not what an idle daemon costs.
            await Task.Delay(TimeSpan.FromSeconds(20));
            var created = 0;
            foreach (var n in sessionCounts.Order())
            {
                using var rest = daemon.Rest();
                while (created < n)
                {
                    var batch = Enumerable.Range(0, Math.Min(8, n - created))
                        .Select(i => rest.CreateSessionAsync(new CreateSessionRequest(daemon.ProjectPath, $"idle {created + i}", "bash")));
                    await Task.WhenAll(batch);
                    created += Math.Min(8, n - created);
                }

                // Every new prompt drawn and captured, and (no hooks) IdleAfter passed: the sessions are idle now.
                await Task.Delay(TimeSpan.FromSeconds(10));
                var before = await CountersAsync(rest);
                var (daemonCpu, tmuxCpu, seconds) = await daemon.MeasureCpuAsync(window);
                var after = await CountersAsync(rest);
                var activity = before is null || after is null
                    ? "n/a (older daemon)"
                    : $"{after["tmux_output_notifications"] - before["tmux_output_notifications"]} / {after["pane_captures"] - before["pane_captures"]}";
                Console.WriteLine($"| {n} | {seconds:0.0} | {daemonCpu:0.00} | {tmuxCpu:0.00} | {daemonCpu + tmuxCpu:0.00} | {ChildDaemon.ReadRss(daemon.ProcessId) / 1048576.0:0.0} | {activity} |");
            }
        }

        if (samples == 0)
        {
            return;
        }

        Console.WriteLine();
        Console.WriteLine("### 2. Latencies (one daemon, 10 other idle sessions)");
        Console.WriteLine();
        Console.WriteLine("| what | samples | p50 ms | p90 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        await using (var daemon = await BenchChild.StartAsync(daemonDll))
        {
            using var rest = daemon.Rest();
            for (var i = 0; i < 10; i++)
            {
                await rest.CreateSessionAsync(new CreateSessionRequest(daemon.ProjectPath, $"background {i}", "bash"));
            }

            var receiver = new Receiver();
            await using var hub = SessionsHubClient.Create(daemon.SocketPath, receiver);
            await hub.StartAsync();
            await hub.Subscribe(Views.Sessions);

            Print("output change → watcher SessionOutput", await WatchLatencyAsync(daemon, rest, hub, receiver, samples));
            var session = await rest.CreateSessionAsync(new CreateSessionRequest(daemon.ProjectPath, "hooked", "bash"));
            await Task.Delay(500);
            var environment = await daemon.HookEnvironmentAsync(session.SessionId);
            var (curl, curlRun) = await HookLatencyAsync(session.SessionId, receiver, samples, ["sh", Path.Combine(daemon.Directory, "agents", "teleclaude-hook.sh"), "claude"], environment);
            Print("hook fired (curl script) → status on client", curl);
            Print("  of which the hook process itself (start → exit)", curlRun);
            var (dotnet, dotnetRun) = await HookLatencyAsync(session.SessionId, receiver, Math.Max(10, samples / 4),
                [ChildProcesses.DotnetHost(), daemon.DaemonDll, "hook", "claude"], environment);
            Print("hook fired (dotnet TeleClaude.Daemon hook) → status on client", dotnet);
            Print("  of which the hook process itself (start → exit)", dotnetRun);
            Print("agent exits (kill) → SessionTerminated on client", await ExitLatencyAsync(daemon, rest, receiver, Math.Max(10, samples / 4)));
        }

        Console.WriteLine();
        Console.WriteLine($"Finished in {started.Elapsed.TotalSeconds:0} s; load average {File.ReadAllText("/proc/loadavg").Trim()} after.");
    }

    /// <summary>The daemon's diagnostics counters; null for a build that has no output watcher counters.</summary>
    private static async Task<IReadOnlyDictionary<string, long>?> CountersAsync(TeleClaudeRestClient rest)
    {
        var counters = (await rest.DiagnosticsAsync()).Counters;
        return counters.ContainsKey("pane_captures") ? counters : null;
    }

    private static void Print(string what, List<double> samples)
    {
        samples.Sort();
        Console.WriteLine($"| {what} | {samples.Count} | {Stats.Median(samples):0.00} | {Stats.Percentile(samples, 90):0.00} | {Stats.Percentile(samples, 99):0.00} | {samples[^1]:0.00} |");
    }

    private static async Task<List<double>> WatchLatencyAsync(BenchChild daemon, TeleClaudeRestClient rest, SessionsHubClient hub, Receiver receiver, int samples)
    {
        var session = await rest.CreateSessionAsync(new CreateSessionRequest(daemon.ProjectPath, "printer", "printer"));
        await Task.Delay(500);
        await hub.Watch(session.SessionId);
        var latencies = new List<double>();
        for (var i = -10; i < samples; i++)
        {
            var marker = $"MARK-{i + 1000}-{Guid.NewGuid():N}"[..20];
            var seen = receiver.ExpectOutput(session.SessionId, marker);
            var t0 = Stopwatch.GetTimestamp();
            await File.AppendAllTextAsync(daemon.FifoPath, marker + "\n");
            var at = await seen.WaitAsync(TimeSpan.FromSeconds(10));
            if (i >= 0)
            {
                latencies.Add(Stopwatch.GetElapsedTime(t0, at).TotalMilliseconds);
            }

            await Task.Delay(150); // each change after quiet, as a person's agent prints
        }

        await hub.Unwatch(session.SessionId);
        return latencies;
    }

    private static async Task<(List<double> Status, List<double> Process)> HookLatencyAsync(
        string sessionId, Receiver receiver, int samples, string[] command, IReadOnlyDictionary<string, string> environment)
    {
        const string permission = """{"hook_event_name":"PermissionRequest","tool_name":"Bash","tool_input":{"command":"make test"}}""";
        const string stop = """{"hook_event_name":"Stop","last_assistant_message":"done"}""";
        var status = new List<double>();
        var process = new List<double>();
        for (var i = -4; i < samples; i++)
        {
            var waiting = i % 2 == 0;
            var seen = receiver.ExpectStatus(sessionId, waiting ? SessionStatus.Waiting : SessionStatus.Idle);
            var start = new ProcessStartInfo(command[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in command[1..])
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            var t0 = Stopwatch.GetTimestamp();
            using var hook = Process.Start(start)!;
            await hook.StandardInput.WriteAsync(waiting ? permission : stop);
            hook.StandardInput.Close();
            await hook.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            var exited = Stopwatch.GetTimestamp();
            var at = await seen.WaitAsync(TimeSpan.FromSeconds(10));
            if (i >= 0)
            {
                status.Add(Stopwatch.GetElapsedTime(t0, at).TotalMilliseconds);
                process.Add(Stopwatch.GetElapsedTime(t0, exited).TotalMilliseconds);
            }

            await Task.Delay(50);
        }

        return (status, process);
    }

    private static async Task<List<double>> ExitLatencyAsync(BenchChild daemon, TeleClaudeRestClient rest, Receiver receiver, int samples)
    {
        var latencies = new List<double>();
        for (var i = 0; i < samples; i++)
        {
            var session = await rest.CreateSessionAsync(new CreateSessionRequest(daemon.ProjectPath, $"doomed {i}", "bash"));
            await Task.Delay(300);
            var pid = int.Parse(await daemon.TmuxAsync("display-message", "-p", "-t", "tc-" + session.SessionId, "#{pane_pid}"), CultureInfo.InvariantCulture);
            var seen = receiver.ExpectTerminated(session.SessionId);
            var t0 = Stopwatch.GetTimestamp();
            Process.GetProcessById(pid).Kill();
            var at = await seen.WaitAsync(TimeSpan.FromSeconds(10));
            latencies.Add(Stopwatch.GetElapsedTime(t0, at).TotalMilliseconds);
        }

        return latencies;
    }

    /// <summary>Timestamps the pushes the harness waits for (taken first thing in the handler, after deserialization).</summary>
    private sealed class Receiver : PushReceiver
    {
        private readonly ConcurrentDictionary<string, (Func<object, bool> Match, TaskCompletionSource<long> Seen)> _waits = new();

        public Task<long> ExpectOutput(string sessionId, string marker) =>
            Expect(o => o is SessionOutput s && s.SessionId == sessionId && s.Screen.Contains(marker, StringComparison.Ordinal));

        public Task<long> ExpectStatus(string sessionId, SessionStatus status) =>
            Expect(o => o is SessionInfo s && s.SessionId == sessionId && s.Status == status);

        public Task<long> ExpectTerminated(string sessionId) =>
            Expect(o => o is SessionInfo { Status: SessionStatus.Terminated } s && s.SessionId == sessionId);

        public override Task SessionOutput(SessionOutput output) => Seen(output);

        public override Task SessionUpdated(SessionInfo session) => Seen(session);

        public override Task AgentEvent(AgentEventInfo agentEvent) => Seen(agentEvent.Session);

        public override Task SessionTerminated(SessionInfo session) => Seen(session);

        private Task<long> Expect(Func<object, bool> match)
        {
            var seen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits[Guid.NewGuid().ToString("N")] = (match, seen);
            return seen.Task;
        }

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
