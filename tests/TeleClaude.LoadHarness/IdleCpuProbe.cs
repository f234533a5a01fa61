using System.Diagnostics;
using System.Globalization;

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
            await ChildProcesses.WaitForHealthAsync(process, socket, output);
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

            ChildProcesses.KillTmuxServer(directory.Name);
            try
            {
                directory.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
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
}
