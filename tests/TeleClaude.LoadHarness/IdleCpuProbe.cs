using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using TeleClaude.Client;

namespace TeleClaude.LoadHarness;

/// <summary>One idle-CPU result: CPU time over the window as a share of one core.</summary>
internal sealed record IdleCpuRow(string Setup, double WindowSeconds, double CpuSeconds, double CpuPercentOfOneCore);

/// <summary>
/// Starts the daemon as a child process (<c>dotnet TeleClaude.Daemon.dll</c> from the harness's output, where the
/// project reference puts it), waits until it answers /health plus a settle time, and reads utime+stime of
/// <c>/proc/&lt;pid&gt;/stat</c> at both ends of a window.
/// </summary>
internal static class IdleCpuProbe
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    public static async Task<IdleCpuRow> MeasureAsync(string setup, string? redisConfiguration, TimeSpan settle, TimeSpan window)
    {
        var dll = ChildProcesses.DaemonDll();
        var directory = Directory.CreateTempSubdirectory("tcb-idle-");
        var socket = Path.Combine(directory.FullName, "d.sock");
        List<string> args =
        [
            "--socket", socket, "--db", Path.Combine(directory.FullName, "d.db"), "--computer", "idle",
            // Its own tmux server (the daemon follows it from the start), never the user's default one.
            $"--TeleClaude:Sessions:TmuxSocketName={directory.Name}",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
        ];
        if (redisConfiguration is not null)
        {
            args.Add($"--TeleClaude:Redis:Configuration={redisConfiguration}");
        }

        var (child, output) = ChildProcesses.StartDotnet(dll, directory, args);
        using var process = child;
        try
        {
            await WaitForHealthAsync(process, socket, output);
            await Task.Delay(settle);
            var ticksPerSecond = ClockTicksPerSecond();
            var before = CpuTicks(process.Id);
            var started = Stopwatch.GetTimestamp();
            await Task.Delay(window);
            var after = CpuTicks(process.Id);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The idle daemon ({setup}) exited during the window: {string.Join(" | ", output)}");
            }

            var cpuSeconds = (after - before) / (double)ticksPerSecond;
            return new IdleCpuRow(setup, elapsed, cpuSeconds, 100 * cpuSeconds / elapsed);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }

            KillTmuxServer(directory.Name);
            try
            {
                directory.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Stops a child daemon's tmux server (a killed daemon leaves its watch session behind).</summary>
    internal static void KillTmuxServer(string socketName)
    {
        using var tmux = Process.Start(new ProcessStartInfo("tmux", ["-L", socketName, "kill-server"]) { RedirectStandardError = true });
        tmux?.WaitForExit(5000);
    }

    internal static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> output, string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 20)
        {
            output.TryDequeue(out _);
        }
    }

    internal static async Task WaitForHealthAsync(Process process, string socket, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The idle daemon exited at start with code {process.ExitCode}: {string.Join(" | ", output)}");
            }

            if (File.Exists(socket))
            {
                try
                {
                    using var rest = new TeleClaudeRestClient(socket);
                    await rest.HealthAsync().WaitAsync(TimeSpan.FromSeconds(2));
                    return;
                }
                catch (Exception ex) when (ex is HttpRequestException or SocketException or TimeoutException or IOException)
                {
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The idle daemon did not answer /health within {StartTimeout.TotalSeconds:0} s.");
    }

    /// <summary>utime + stime (fields 14 and 15) of /proc/&lt;pid&gt;/stat, in clock ticks.</summary>
    internal static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state), so field 14 is fields[11] and field 15 is fields[12].
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    internal static long ClockTicksPerSecond()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true });
            if (getconf is not null)
            {
                var text = getconf.StandardOutput.ReadToEnd().Trim();
                getconf.WaitForExit(5000);
                if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks > 0)
                {
                    return ticks;
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }

        return 100;
    }

    /// <summary>The dotnet host that runs this process when started through <c>dotnet run</c>; else <c>dotnet</c> on PATH.</summary>
    internal static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
