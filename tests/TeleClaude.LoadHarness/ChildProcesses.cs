using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using TeleClaude.Client;

namespace TeleClaude.LoadHarness;

/// <summary>Starting and cleaning up the harness's child processes (a child daemon, redis-server).</summary>
internal static class ChildProcesses
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The daemon to run in a child process: <paramref name="other"/> (another build) or the one in the harness output.</summary>
    public static string DaemonDll(string? other = null)
    {
        var dll = other ?? Path.Combine(AppContext.BaseDirectory, "TeleClaude.Daemon.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("The daemon is not in the harness output; build the harness first.", dll);
        }

        return dll;
    }

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/> <paramref name="args"/></c> in <paramref name="directory"/>; the last lines
    /// of its output are kept (for the error when it exits or does not answer).
    /// </summary>
    public static (Process Process, ConcurrentQueue<string> Output) StartDotnet(string dll, DirectoryInfo directory, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory.FullName,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var output = new ConcurrentQueue<string>();
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    /// <summary>Kills <paramref name="process"/> with its children (bounded wait) and deletes its temp directory.</summary>
    public static async Task StopAndCleanAsync(Process process, DirectoryInfo directory)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
        }

        process.Dispose();
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Stops a child daemon's tmux server (a killed daemon leaves its watch session behind).</summary>
    public static void KillTmuxServer(string socketName)
    {
        using var tmux = Process.Start(new ProcessStartInfo("tmux", ["-L", socketName, "kill-server"]) { RedirectStandardError = true });
        tmux?.WaitForExit(5000);
    }

    /// <summary>Keeps the last 20 lines of a child's output (for the error when it exits or does not answer).</summary>
    public static void Keep(ConcurrentQueue<string> output, string? line)
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

    /// <summary>Waits until the daemon answers /health on <paramref name="socket"/>; fails with its last output when it exits first.</summary>
    public static async Task WaitForHealthAsync(Process process, string socket, ConcurrentQueue<string> output)
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

    /// <summary>The dotnet host that runs this process when started through <c>dotnet run</c>; else <c>dotnet</c> on PATH.</summary>
    public static string DotnetHost()
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
