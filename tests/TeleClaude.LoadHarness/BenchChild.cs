using System.Diagnostics;
using System.Globalization;
using TeleClaude.Client;

namespace TeleClaude.LoadHarness;

/// <summary>The daemon under test as a child process with its own tmux server, temp directory and a FIFO-fed printer agent.</summary>
internal sealed class BenchChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _directory;

    private BenchChild(Process process, DirectoryInfo directory, string dll)
    {
        _process = process;
        _directory = directory;
        DaemonDll = dll;
    }

    public string Directory => _directory.FullName;

    public string SocketPath => Path.Combine(Directory, "d.sock");

    public string ProjectPath => Path.Combine(Directory, "project");

    public string FifoPath => Path.Combine(Directory, "printer.fifo");

    public string TmuxSocket => "tcb-" + _directory.Name;

    public string DaemonDll { get; }

    public int ProcessId => _process.Id;

    public static async Task<BenchChild> StartAsync(string? daemonDll)
    {
        var dll = ChildProcesses.DaemonDll(daemonDll);
        var directory = System.IO.Directory.CreateTempSubdirectory("tcb-agents-");
        System.IO.Directory.CreateDirectory(Path.Combine(directory.FullName, "project"));
        var fifo = Path.Combine(directory.FullName, "printer.fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
        }

        var (process, output) = ChildProcesses.StartDotnet(dll, directory,
        [
            "--socket", Path.Combine(directory.FullName, "d.sock"), "--db", Path.Combine(directory.FullName, "d.db"), "--computer", "bench",
            $"--TeleClaude:Projects:0:Path={Path.Combine(directory.FullName, "project")}",
            $"--TeleClaude:Sessions:TmuxSocketName=tcb-{directory.Name}",
            "--TeleClaude:Agents:bash:Command:0=bash",
            "--TeleClaude:Agents:printer:Command:0=sh", "--TeleClaude:Agents:printer:Command:1=-c",
            "--TeleClaude:Agents:printer:Command:2=while :; do cat \"$0\"; done", $"--TeleClaude:Agents:printer:Command:3={fifo}",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
        ]);
        var child = new BenchChild(process, directory, dll);
        await ChildProcesses.WaitForHealthAsync(process, child.SocketPath, output);
        return child;
    }

    public TeleClaudeRestClient Rest() => new(SocketPath);

    /// <summary>CPU over <paramref name="window"/>: the daemon with its children, and its tmux server, as % of one core.</summary>
    public async Task<(double Daemon, double Tmux, double Seconds)> MeasureCpuAsync(TimeSpan window)
    {
        // No tmux server at all (an older daemon with no session) costs nothing.
        var servers = await TmuxAsync("list-sessions", "-F", "#{pid}");
        int? tmuxPid = servers.Length == 0 ? null : int.Parse(servers.Split('\n')[0], CultureInfo.InvariantCulture);
        var ticks = (double)IdleCpuProbe.ClockTicksPerSecond();
        var (daemonBefore, tmuxBefore) = (DaemonTicks(), tmuxPid is { } p0 ? IdleCpuProbe.CpuTicks(p0) : 0);
        var t0 = Stopwatch.GetTimestamp();
        await Task.Delay(window);
        var (daemonAfter, tmuxAfter) = (DaemonTicks(), tmuxPid is { } p1 ? IdleCpuProbe.CpuTicks(p1) : 0);
        var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        return (100 * (daemonAfter - daemonBefore) / ticks / seconds, 100 * (tmuxAfter - tmuxBefore) / ticks / seconds, seconds);
    }

    /// <summary>utime+stime+cutime+cstime of the daemon plus utime+stime of its live children (e.g. the tmux control client).</summary>
    private long DaemonTicks()
    {
        var fields = StatFields(_process.Id);
        var total = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
            + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != _process.Id)
            {
                try
                {
                    var child = StatFields(pid);
                    if (child[1] == _process.Id.ToString(CultureInfo.InvariantCulture))
                    {
                        total += long.Parse(child[11], CultureInfo.InvariantCulture) + long.Parse(child[12], CultureInfo.InvariantCulture);
                    }
                }
                catch (IOException)
                {
                }
            }
        }

        return total;
    }

    private static string[] StatFields(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    public async Task<IReadOnlyDictionary<string, string>> HookEnvironmentAsync(string sessionId)
    {
        var environment = new Dictionary<string, string>();
        foreach (var name in new[] { "TELECLAUDE_SOCKET", "TELECLAUDE_SESSION_ID", "TELECLAUDE_HOOK_SECRET" })
        {
            var line = await TmuxAsync("show-environment", "-t", "tc-" + sessionId, name);
            environment[name] = line[(name.Length + 1)..];
        }

        return environment;
    }

    public async Task<string> TmuxAsync(params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(TmuxSocket);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Trim();
    }

    public async ValueTask DisposeAsync()
    {
        await TmuxAsync("kill-server");
        await ChildProcesses.StopAndCleanAsync(_process, _directory);
    }
}
