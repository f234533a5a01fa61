using System.Text;

namespace TeleClaude.Daemon.Service;

/// <summary>
/// The systemd user unit (<c>~/.config/systemd/user/teleclaude.service</c>): runs the daemon in the user's manager, restarts
/// it when it fails (not after a configuration error, exit 2, which a restart cannot fix), logs to the journal
/// (<c>journalctl --user -u teleclaude</c>), and stops it with SIGTERM, on which it exits 0.
/// </summary>
internal static class SystemdUnit
{
    /// <summary>Where the user's manager looks for units: <c>$XDG_CONFIG_HOME/systemd/user</c>, else <c>~/.config/systemd/user</c>.</summary>
    public static string PathFor(string? configHome, string home) =>
        Path.Combine(!string.IsNullOrEmpty(configHome) && Path.IsPathFullyQualified(configHome) ? configHome : Path.Combine(home, ".config"),
            "systemd", "user", ServiceProgram.SystemdUnitName);

    public static string Render(ServiceProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var unit = new StringBuilder();
        unit.AppendLine("# Written by `teleclaude service install`; `teleclaude service uninstall` removes it.");
        unit.AppendLine("[Unit]");
        unit.AppendLine("Description=TeleClaude daemon: watch and drive AI coding-agent sessions");
        unit.AppendLine("# A configuration error (exit 2) stops it for good; anything else is retried, at most 5 times in 5 minutes.");
        unit.AppendLine("StartLimitIntervalSec=300");
        unit.AppendLine("StartLimitBurst=5");
        unit.AppendLine();
        unit.AppendLine("[Service]");
        unit.AppendLine("Type=exec");
        unit.AppendLine("ExecStart=" + string.Join(' ', program.Command.Select(Quote)));
        foreach (var (name, value) in program.Environment)
        {
            unit.AppendLine("Environment=" + Quote($"{name}={value}"));
        }

        unit.AppendLine("Restart=on-failure");
        unit.AppendLine("RestartSec=5");
        unit.AppendLine("RestartPreventExitStatus=2");
        unit.AppendLine("# SIGTERM is a clean stop (exit 0); the daemon needs a few seconds to hand its clients over.");
        unit.AppendLine("TimeoutStopSec=20");
        unit.AppendLine();
        unit.AppendLine("[Install]");
        unit.AppendLine("WantedBy=default.target");
        return unit.ToString();
    }

    /// <summary>
    /// One word of a systemd command line or assignment: <c>%</c> (specifiers) and <c>$</c> (variables) escaped, quoted
    /// when it holds blanks, quotes or backslashes.
    /// </summary>
    internal static string Quote(string word)
    {
        var escaped = word.Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal);
        return escaped.Length > 0 && !escaped.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or ';')
            ? escaped
            : "\"" + escaped.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
