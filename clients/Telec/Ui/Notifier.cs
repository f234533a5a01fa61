using TeleClaude.Contracts;
using Telec.Settings;

namespace Telec.Ui;

/// <summary>
/// The optional alert when a session starts waiting (off by default): a terminal bell, or a desktop notification by
/// OSC 9 (iTerm2, kitty, WezTerm, ...) or OSC 777 (rxvt, VTE terminals). Written straight to the terminal between
/// frames; the sequences print nothing. Inside tmux they reach the outer terminal only with tmux's allow-passthrough.
/// </summary>
internal static class Notifier
{
    public static string? Sequence(string mode, SessionInfo session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var text = Clean($"{session.Title ?? session.SessionId} on {session.Computer} needs you");
        return mode switch
        {
            NotifyModes.Bell => "\a",
            NotifyModes.Osc9 => $"\u001b]9;telec: {text}\a",
            NotifyModes.Osc777 => $"\u001b]777;notify;telec;{text}\a",
            _ => null,
        };
    }

    public static void Notify(string mode, IEnumerable<SessionInfo> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        foreach (var session in sessions)
        {
            if (Sequence(mode, session) is { } sequence)
            {
                Console.Out.Write(sequence);
                Console.Out.Flush();
            }
        }
    }

    // A title must not end the escape sequence early or start another.
    private static string Clean(string text) => new(text.Where(c => !char.IsControl(c) && c != ';').Take(200).ToArray());
}
