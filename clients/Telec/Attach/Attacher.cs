using System.Diagnostics;
using CliWrap;
using CliWrap.Buffered;

namespace Telec.Attach;

/// <summary>Runs attach plans: checks first, opens in the user's tmux, or runs in the foreground with the terminal.</summary>
internal static class Attacher
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>True when telec runs inside tmux (a new window or split of the user's tmux is then the natural place).</summary>
    public static bool InsideTmux => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TMUX"));

    /// <summary>For a local session: the problem when its tmux session is already gone (it just ended), else null.</summary>
    public static async Task<string?> CheckAsync(AttachPlan plan, string sessionName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!plan.Local)
        {
            return null;
        }

        // ["tmux", "-L", socket, "attach", "-t", session]
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            var result = await CliWrap.Cli.Wrap("tmux")
                .WithArguments(["-L", plan.Argv[2], "has-session", "-t", plan.Argv[5]])
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(timeout.Token);
            return result.ExitCode == 0 ? null : $"\"{sessionName}\" has ended: its tmux session {plan.Argv[5]} is gone.";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "tmux is not installed here, so telec cannot open the session's terminal.";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "tmux did not answer within 5 s.";
        }
    }

    /// <summary>Opens the plan in a new window or split of the user's tmux; returns the problem, or null.</summary>
    public static async Task<string?> OpenInTmuxAsync(AttachPlan plan, string windowName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var command = plan.TmuxOpenCommand(windowName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        var result = await CliWrap.Cli.Wrap(command[0])
            .WithArguments(command.Skip(1))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token);
        return result.ExitCode == 0 ? null : $"tmux could not open a window: {result.StandardError.Trim()}";
    }

    /// <summary>
    /// Runs the attach with telec's terminal (stdin and stdout inherited) until it ends: a detach, the session's end, or
    /// a failure such as an unreachable host. The UI must be shut down first. Its standard error is passed through to
    /// telec's as it comes, and its last line is kept: the UI comes back at once and covers what the command printed, so
    /// the footer repeats why it failed (ssh's "Connection refused", tmux's "can't find session").
    /// </summary>
    public static ForegroundResult RunForeground(AttachPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        // CliWrap pipes a child's streams; an interactive attach needs the terminal itself.
        var start = new ProcessStartInfo(plan.Argv[0]) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in plan.Argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{plan.Argv[0]} did not start.");
        var tail = new ErrorTail();
        using var telecError = Console.OpenStandardError();
        var copy = tail.CopyAsync(process.StandardError.BaseStream, telecError);
        process.WaitForExit();

        // The pipe ends with the command; a child it left behind holding it open is not waited for long.
        copy.Wait(TimeSpan.FromSeconds(2));
        return new ForegroundResult(process.ExitCode, tail.LastLine);
    }
}
