using System.Diagnostics;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>Runs tmux against a test daemon's private tmux server.</summary>
internal static class Tmux
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string socketName, CancellationToken cancellationToken, params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(socketName);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("TMUX");
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, output.Trim());
    }

    /// <summary>A variable of a tmux session's environment (e.g. the hook secret the daemon gave the session).</summary>
    public static async Task<string> EnvironmentAsync(DaemonProcess daemon, string sessionId, string name, CancellationToken cancellationToken)
    {
        var (_, output) = await RunAsync(daemon.TmuxSocketName, cancellationToken, "show-environment", "-t", "tc-" + sessionId, name);
        return output.StartsWith(name + "=", StringComparison.Ordinal) ? output[(name.Length + 1)..] : throw new InvalidOperationException($"No {name} in tc-{sessionId}: '{output}'");
    }
}
