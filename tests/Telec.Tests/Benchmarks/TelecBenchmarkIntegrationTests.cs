using System.Diagnostics;
using System.Globalization;
using TeleClaude.Contracts;
using Telec.Tests.Infrastructure;

namespace Telec.Tests.Benchmarks;

/// <summary>
/// The numbers in docs/benchmarks.md (telec). Explicit: run on demand with
/// <c>dotnet test tests/Telec.Tests -c Release --filter "FullyQualifiedName~TelecBenchmark"</c>; set TELEC_COMMAND to
/// measure another build the same way (e.g. the JIT telec.dll of an older commit).
/// Everything is measured from outside, as a user sees it: the real telec in tmux, the screen read with capture-pane.
/// </summary>
[TestFixture]
[Explicit("Benchmark: minutes long, prints numbers instead of asserting them.")]
[NonParallelizable]
public sealed class TelecBenchmarkIntegrationTests
{
    private const int SessionCount = 1000;
    private const int StartupRuns = 5;
    private const int LatencyRuns = 30;

    [Test]
    [CancelAfter(600_000)]
    public async Task Benchmark_StartupToFullRender_And_PushToScreenLatency()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var sessions = await CreateSessionsAsync(daemon, SessionCount);
        var report = new List<string>
        {
            $"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}",
        };

        // 1. From `telec` start (tmux new-session) to the full state of 1,000 sessions on screen.
        var startups = new List<double>();
        for (var run = 0; run < StartupRuns; run++)
        {
            var clock = Stopwatch.StartNew();
            await using var terminal = await TmuxTerminal.StartTelecAsync(daemon.SocketPath);
            await terminal.WaitForAsync(
                s => s.Contains($"{SessionCount} sessions", StringComparison.Ordinal) && s.Contains(sessions[0].Title!, StringComparison.Ordinal),
                "all sessions are rendered",
                TimeSpan.FromSeconds(60));
            startups.Add(clock.Elapsed.TotalMilliseconds);
        }

        report.Add(Row($"start → first full render, {SessionCount} sessions (n={StartupRuns})", startups));

        // 2. REST update → new text visible, with 1,000 sessions in the model (every push re-renders the tree).
        report.Add(Row($"push → screen, {SessionCount} sessions (n={LatencyRuns})", await LatencyAsync(daemon, sessions[0])));

        TestContext.Out.WriteLine(string.Join('\n', report));
    }

    [Test]
    [CancelAfter(600_000)]
    public async Task Benchmark_StartupToFullRender_EmptyDaemon()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var startups = new List<double>();
        for (var run = 0; run < 10; run++)
        {
            var clock = Stopwatch.StartNew();
            await using var terminal = await TmuxTerminal.StartTelecAsync(daemon.SocketPath);
            await terminal.WaitForAsync(
                s => s.Contains("● connected", StringComparison.Ordinal) && s.Contains("alpha (local)", StringComparison.Ordinal) && s.Contains("0 sessions", StringComparison.Ordinal),
                "the full state is rendered",
                TimeSpan.FromSeconds(60));
            startups.Add(clock.Elapsed.TotalMilliseconds);
        }

        TestContext.Out.WriteLine(Row($"start → first full render, empty daemon (n=10) [{string.Join(' ', TelecBinary.Command.Take(1).Select(Path.GetFileName))}]", startups));
    }

    [Test]
    [CancelAfter(600_000)]
    public async Task Benchmark_PushToScreenLatency_OneSession()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var session = await daemon.CreateSessionAsync("bench-0");
        TestContext.Out.WriteLine(Row($"push → screen, 1 session (n={LatencyRuns})", await LatencyAsync(daemon, session)));
    }

    /// <summary>
    /// Watch → preview visible, two ways, on the stand-in agent: (1) selecting a session until the preview shows its live
    /// screen (the title "Screen · NAME" appears only once that session's SessionOutput is drawn: Unwatch of the previous,
    /// Watch, the daemon's capture and push, telec's redraw); (2) a change of the watched session's screen until the
    /// preview shows it (REST input, tmux, the agent's echo, tmux's %output, the daemon's capture and push, the redraw).
    /// </summary>
    [Test]
    [CancelAfter(600_000)]
    public async Task Benchmark_WatchToPreviewVisible()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var a = await daemon.CreateSessionAsync("watch-a");
        var b = await daemon.CreateSessionAsync("watch-b");
        using var rest = daemon.Rest();
        await rest.SendInputAsync(a.SessionId, "marker-a");
        await rest.SendInputAsync(b.SessionId, "marker-b");
        await using var terminal = await TmuxTerminal.StartTelecAsync(daemon.SocketPath);
        await terminal.WaitForAsync(s => s.Contains("● connected", StringComparison.Ordinal) && s.Contains("watch-b", StringComparison.Ordinal), "telec is ready", TimeSpan.FromSeconds(60));
        await terminal.SendKeysAsync("Down");
        await terminal.SendKeysAsync("Down");
        await terminal.WaitForAsync(s => TelecScreen.PreviewTitle(s).Contains("Screen · watch-a", StringComparison.Ordinal), "a is previewed", TimeSpan.FromSeconds(30));

        var select = new List<double>();
        for (var i = 0; i < LatencyRuns; i++)
        {
            var (key, name, marker) = i % 2 == 0 ? ("Down", "watch-b", "agent got: marker-b") : ("Up", "watch-a", "agent got: marker-a");
            var clock = Stopwatch.StartNew();
            await terminal.SendKeysAsync(key);
            await terminal.WaitForAsync(
                s => TelecScreen.PreviewTitle(s).Contains("Screen · " + name, StringComparison.Ordinal) && TelecScreen.Preview(s).Contains(marker, StringComparison.Ordinal),
                name + "'s live screen is in the preview",
                TimeSpan.FromSeconds(30));
            select.Add(clock.Elapsed.TotalMilliseconds);
            await Task.Delay(200);
        }

        // b is previewed now (an even number of moves ends on a).
        await terminal.SendKeysAsync("Down");
        await terminal.WaitForAsync(s => TelecScreen.PreviewTitle(s).Contains("Screen · watch-b", StringComparison.Ordinal), "b is previewed", TimeSpan.FromSeconds(30));
        var change = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var probe = $"probe-{i:00}-{Guid.NewGuid().ToString("N")[..6]}";
            var clock = Stopwatch.StartNew();
            await rest.SendInputAsync(b.SessionId, probe);
            await terminal.WaitForAsync(s => TelecScreen.Preview(s).Contains("agent got: " + probe, StringComparison.Ordinal), "the new screen is in the preview", TimeSpan.FromSeconds(30));
            change.Add(clock.Elapsed.TotalMilliseconds);
            await Task.Delay(200);
        }

        TestContext.Out.WriteLine(Row($"select → live screen in the preview (n={LatencyRuns})", select));
        TestContext.Out.WriteLine(Row("screen change → preview, input through REST (n=50)", change));
        TestContext.Out.WriteLine($"daemon counters: output_pushes={await daemon.CounterAsync("output_pushes")} pane_captures={await daemon.CounterAsync("pane_captures")}");
    }

    private static async Task<List<double>> LatencyAsync(DaemonProcess daemon, SessionInfo session)
    {
        await using var terminal = await TmuxTerminal.StartTelecAsync(daemon.SocketPath);
        await terminal.WaitForAsync(s => s.Contains("● connected", StringComparison.Ordinal) && s.Contains(session.Title!, StringComparison.Ordinal), "telec is ready", TimeSpan.FromSeconds(60));
        using var rest = daemon.Rest();
        var samples = new List<double>();
        for (var i = 0; i < LatencyRuns; i++)
        {
            var text = $"latency-probe-{i:00}-{Guid.NewGuid().ToString("N")[..6]}";
            var clock = Stopwatch.StartNew();
            // The title, not last_output: the daemon's pane monitor rewrites last_output of real sessions on its own.
            await rest.UpdateSessionAsync(session.SessionId, new UpdateSessionRequest(Title: text));
            await terminal.WaitForTextAsync(text, TimeSpan.FromSeconds(30));
            samples.Add(clock.Elapsed.TotalMilliseconds);

            // Let the change marker fade and the tick pass, so runs do not overlap.
            await Task.Delay(200);
        }

        return samples;
    }

    private static async Task<List<SessionInfo>> CreateSessionsAsync(DaemonProcess daemon, int count)
    {
        using var rest = daemon.Rest();
        var created = new SessionInfo[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            created[i] = await rest.CreateSessionAsync(
                new CreateSessionRequest(daemon.ProjectPath, $"bench-{i:0000}", i % 3 == 0 ? "codex" : "claude", Message: $"task {i}"), ct));
        return [.. created.OrderBy(s => s.CreatedAt)];
    }

    private static string Row(string what, List<double> samples)
    {
        samples.Sort();
        var median = samples[samples.Count / 2];
        var p99 = samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(samples.Count * 0.99) - 1)];
        return string.Create(
            CultureInfo.InvariantCulture,
            $"| {what} | {median:0} ms | {p99:0} ms | {samples[0]:0} ms | {samples[^1]:0} ms | load {Load()} |");

        // The 1-minute load average: the machine is shared, so each row says how busy it was.
        static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
    }
}
