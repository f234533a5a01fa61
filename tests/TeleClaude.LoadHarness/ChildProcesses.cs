using System.Collections.Concurrent;
using System.Diagnostics;

namespace TeleClaude.LoadHarness;

/// <summary>Starting and cleaning up the harness's child processes (a child daemon, redis-server).</summary>
internal static class ChildProcesses
{
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
        var start = new ProcessStartInfo(IdleCpuProbe.DotnetHost())
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
        process.OutputDataReceived += (_, e) => IdleCpuProbe.Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => IdleCpuProbe.Keep(output, e.Data);
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
}
