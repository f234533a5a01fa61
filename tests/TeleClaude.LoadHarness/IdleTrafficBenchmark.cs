using System.Diagnostics;
using System.Globalization;
using System.Text;
using TeleClaude.Client;
using TeleClaude.Contracts;

namespace TeleClaude.LoadHarness;

/// <summary>Settings of one <c>idle</c> run.</summary>
internal sealed record IdleSettings(TimeSpan Window, string? BaselineDll);

/// <summary>
/// Redis commands per minute of ONE daemon with its default settings, alone on its own redis-server (so every command
/// counted is its own), as a child process: with no client anywhere, and with one hub client subscribed to sessions.
/// <c>INFO commandstats</c> is read at both ends of each window (after <c>CONFIG RESETSTAT</c>); the harness's own
/// calls are left out. With <c>--baseline DLL</c> another build (e.g. main's) is measured side by side the same way.
/// </summary>
internal static class IdleTrafficBenchmark
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    private sealed record Sample(string Build, string Phase, double Minutes, IReadOnlyDictionary<string, long> Calls);

    public static async Task RunAsync(IdleSettings settings)
    {
        var started = Stopwatch.GetTimestamp();
        var loadBefore = MachineInfo.LoadAverage();
        var builds = new List<(string Name, string? Dll)> { ("this build", null) };
        if (settings.BaselineDll is { } baseline)
        {
            builds.Add(("baseline: " + Path.GetFileName(Path.GetDirectoryName(baseline)), baseline));
        }

        Console.Error.WriteLine($"[harness] idle: {builds.Count} build(s) side by side, each alone on its own redis-server; {Settle.TotalSeconds:0} s settle + 2 windows of {settings.Window.TotalSeconds:0} s");
        var samples = await Task.WhenAll(builds.Select(b => MeasureAsync(b.Name, b.Dll, settings.Window)));
        Print(settings, samples.SelectMany(s => s).ToList(), Stopwatch.GetElapsedTime(started), loadBefore, MachineInfo.LoadAverage());
    }

    private static async Task<List<Sample>> MeasureAsync(string build, string? dll, TimeSpan window)
    {
        var samples = new List<Sample>();
        await using var redis = await HarnessRedis.StartAsync();
        using var raw = await redis.ConnectAsync();
        await using var child = await ChildDaemon.StartAsync("idle", redis.Configuration, heartbeatInterval: null, daemonDll: dll);
        await Task.Delay(Settle);
        samples.Add(await WindowAsync(raw, build, "no client anywhere", window));

        var receiver = new ViewReceiver([]);
        await using (var client = SessionsHubClient.Create(child.SocketPath, receiver))
        {
            await client.StartAsync();
            await client.Subscribe(Views.Sessions);
            await Task.Delay(TimeSpan.FromSeconds(3));
            samples.Add(await WindowAsync(raw, build, "one client subscribed to sessions", window));
        }

        return samples;
    }

    private static async Task<Sample> WindowAsync(RawRedisClient raw, string build, string phase, TimeSpan window)
    {
        await raw.CommandAsync("CONFIG", "RESETSTAT");
        var start = Stopwatch.GetTimestamp();
        await Task.Delay(window);
        var text = await raw.CommandAsync("INFO", "commandstats") ?? "";
        var minutes = Stopwatch.GetElapsedTime(start).TotalMinutes;
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            // cmdstat_xread:calls=2,usec=...,rejected_calls=0,failed_calls=0
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var command = line["cmdstat_".Length..colon].ToUpperInvariant();
            var field = line[(colon + 1)..].Split(',').First(f => f.StartsWith("calls=", StringComparison.Ordinal));
            calls[command] = long.Parse(field["calls=".Length..], CultureInfo.InvariantCulture);
        }

        // The harness's own CONFIG RESETSTAT is counted after the reset; INFO does not count itself.
        Subtract(calls, "CONFIG|RESETSTAT", 1);
        return new Sample(build, phase, minutes, calls);
    }

    private static void Subtract(Dictionary<string, long> calls, string command, long count)
    {
        if (calls.TryGetValue(command, out var value))
        {
            value -= count;
            if (value > 0)
            {
                calls[command] = value;
            }
            else
            {
                calls.Remove(command);
            }
        }
    }

    private static void Print(IdleSettings settings, List<Sample> samples, TimeSpan elapsed, string loadBefore, string loadAfter)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("## Idle Redis traffic of one daemon");
        sb.AppendLine();
        sb.AppendLine(inv, $"Machine: {MachineInfo.Describe()}");
        sb.AppendLine(inv, $"Run: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalSeconds:0} s in total; load average {loadBefore} before, {loadAfter} after.");
        sb.AppendLine(inv, $"Each build: one daemon (child process, default settings: 30 s heartbeat) alone on its own redis-server, no peers; windows of {settings.Window.TotalSeconds:0} s after a {Settle.TotalSeconds:0} s settle.");
        sb.AppendLine();
        sb.AppendLine("| build | phase | commands/min | by command (per minute) |");
        sb.AppendLine("|---|---|---:|---|");
        foreach (var sample in samples)
        {
            var total = sample.Calls.Values.Sum() / sample.Minutes;
            var byCommand = string.Join(", ", sample.Calls.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => string.Create(inv, $"{c.Key} {c.Value / sample.Minutes:0.0}")));
            sb.AppendLine(inv, $"| {sample.Build} | {sample.Phase} | {total:0.0} | {byCommand} |");
        }

        sb.AppendLine();
        sb.AppendLine("Counted with INFO commandstats after CONFIG RESETSTAT; the harness's own RESETSTAT is left out, and its INFO at the end is not in its own output.");
        Console.Out.Write(sb.ToString());
    }
}
