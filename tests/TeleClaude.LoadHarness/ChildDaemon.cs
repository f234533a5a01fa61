using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using TeleClaude.Client;

namespace TeleClaude.LoadHarness;

/// <summary>
/// A daemon in a child process (<c>dotnet TeleClaude.Daemon.dll</c> from the harness output, as in
/// <see cref="IdleCpuProbe"/>), so that its resident memory can be read on its own from <c>/proc/&lt;pid&gt;/status</c>.
/// Killed and its temp directory deleted on dispose.
/// </summary>
internal sealed class ChildDaemon : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _directory;
    private readonly ConcurrentQueue<string> _output;

    private ChildDaemon(Process process, DirectoryInfo directory, ConcurrentQueue<string> output, string socketPath)
    {
        _process = process;
        _directory = directory;
        _output = output;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    public int ProcessId => _process.Id;

    /// <summary>The daemon's temp directory (its database; the hook script is in <c>agents/</c> beside it).</summary>
    public string Directory => _directory.FullName;

    /// <summary>The name of the daemon's own tmux server (<c>tmux -L</c>).</summary>
    public string TmuxSocket => "tcb-" + _directory.Name;

    /// <param name="name">The computer name.</param>
    /// <param name="redisConfiguration">The harness Redis.</param>
    /// <param name="heartbeatInterval">Heartbeat (and stats) period; null for the daemon's default.</param>
    /// <param name="daemonDll">Another build of the daemon (e.g. main's, for a before/after comparison); the harness's own by default.</param>
    /// <param name="extraArgs">More command-line settings, after the defaults (a later value of a setting wins).</param>
    public static async Task<ChildDaemon> StartAsync(
        string name, string redisConfiguration, TimeSpan? heartbeatInterval, string? daemonDll = null, IReadOnlyList<string>? extraArgs = null)
    {
        var dll = ChildProcesses.DaemonDll(daemonDll);
        var directory = System.IO.Directory.CreateTempSubdirectory("tcb-child-");
        var socket = Path.Combine(directory.FullName, "d.sock");
        List<string> args =
        [
            "--socket", socket, "--db", Path.Combine(directory.FullName, "d.db"), "--computer", name,
            $"--TeleClaude:Redis:Configuration={redisConfiguration}",
            $"--TeleClaude:Sessions:TmuxSocketName=tcb-{directory.Name}",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
        ];
        if (heartbeatInterval is { } interval)
        {
            args.Add(string.Create(CultureInfo.InvariantCulture, $"--TeleClaude:HeartbeatInterval={interval:c}"));
        }

        args.AddRange(extraArgs ?? []);
        var (process, output) = ChildProcesses.StartDotnet(dll, directory, args);
        var child = new ChildDaemon(process, directory, output, socket);
        try
        {
            await ChildProcesses.WaitForHealthAsync(process, socket, output);
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }

        return child;
    }

    public TeleClaudeRestClient Rest() => new(SocketPath);

    /// <summary>VmRSS of the child in bytes.</summary>
    public long ResidentBytes()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"The child daemon exited with code {_process.ExitCode}: {string.Join(" | ", _output)}");
        }

        return ReadRss(_process.Id);
    }

    /// <summary>VmRSS (bytes) of a process from /proc/&lt;pid&gt;/status.</summary>
    public static long ReadRss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"No VmRSS in /proc/{pid}/status.");
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcesses.StopAndCleanAsync(_process, _directory);
        ChildProcesses.KillTmuxServer("tcb-" + _directory.Name);
    }
}
