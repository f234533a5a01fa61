using TeleClaude.Contracts;
using Telec.Settings;

namespace Telec.Attach;

/// <summary>Where an attach opens: in place of telec (it comes back on detach), or in the user's own tmux.</summary>
internal enum AttachMode
{
    Foreground,
    TmuxWindow,
    TmuxSplit,
}

/// <summary>How to open one session's terminal: the command (no shell) and where it runs.</summary>
/// <param name="Argv">The attach command itself, e.g. <c>tmux -L teleclaude attach -t tc-…</c> or an ssh line.</param>
/// <param name="Mode">Where it runs.</param>
/// <param name="Local">True for a session of this computer (its tmux session can be checked first).</param>
internal sealed record AttachPlan(IReadOnlyList<string> Argv, AttachMode Mode, bool Local)
{
    /// <summary>
    /// Plans the attach to <paramref name="session"/>: a local session attaches to its tmux session directly; a remote one
    /// runs the computer's attach command (settings). Returns the problem, in words for the footer, when there is no way.
    /// </summary>
    public static (AttachPlan? Plan, string? Problem) For(
        SessionInfo session, ComputerInfo? computer, TelecSettings settings, bool insideTmux, string settingsPath)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(settings);
        var mode = !insideTmux ? AttachMode.Foreground : settings.Attach.InTmux == "split" ? AttachMode.TmuxSplit : AttachMode.TmuxWindow;
        var name = session.Title ?? session.SessionId;
        if (session.Status == SessionStatus.Terminated)
        {
            return (null, $"\"{name}\" has ended; there is no terminal to open.");
        }

        if (session.TmuxSocket is null || session.TmuxSession is null)
        {
            return (null, $"The daemon did not say where the terminal of \"{name}\" runs (no tmux socket/session).");
        }

        if (computer is { IsLocal: true })
        {
            return (new AttachPlan(["tmux", "-L", session.TmuxSocket, "attach", "-t", session.TmuxSession], mode, Local: true), null);
        }

        var template = settings.Attach.Computers.TryGetValue(session.Computer, out var own) ? own : settings.Attach.Remote;
        if (string.IsNullOrWhiteSpace(template))
        {
            return (null, $"No attach command for computer {session.Computer}: set attach.computers.{session.Computer} in {settingsPath}.");
        }

        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["host"] = computer?.Host,
            ["user"] = computer?.User,
            ["computer"] = session.Computer,
            ["socket"] = session.TmuxSocket,
            ["tmux_session"] = session.TmuxSession,
            ["session_id"] = session.SessionId,
        };
        var (argv, missing) = AttachTemplate.Fill(template, values);
        if (argv is null)
        {
            return (null, $"Computer {session.Computer} did not report its {missing} (needed by its attach command): set attach.computers.{session.Computer} in {settingsPath}.");
        }

        return (new AttachPlan(argv, mode, Local: false), null);
    }

    /// <summary>
    /// The tmux command that opens <see cref="Argv"/> in the user's tmux (new window or split). The attach runs under a small
    /// sh wrapper: TMUX is unset (a local attach is a nested client of another server), and a failing command (an
    /// unreachable host, say) leaves its message on screen until Enter instead of closing the window at once.
    /// </summary>
    public IReadOnlyList<string> TmuxOpenCommand(string windowName)
    {
        const string Script = """
            env -u TMUX "$@"; status=$?
            if [ "$status" -ne 0 ]; then printf '\n[telec] %s exited with status %d. Press Enter to close.\n' "$1" "$status"; read -r _; fi
            """;
        IReadOnlyList<string> open = Mode == AttachMode.TmuxSplit ? ["tmux", "split-window", "-v"] : ["tmux", "new-window", "-n", windowName];
        return [.. open, "sh", "-c", Script, "telec-attach", .. Argv];
    }
}
