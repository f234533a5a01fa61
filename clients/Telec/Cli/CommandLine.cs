using Telec.Settings;

namespace Telec.Cli;

/// <summary>
/// Parser of telec's small command line. Hand-written on purpose: a handful of commands and options, no dependency and
/// nothing to load at start (telec's start-up is measured in milliseconds; see docs/benchmarks.md).
/// </summary>
internal static class CommandLine
{
    public const string HelpText = """
        telec - terminal UI of TeleClaude

        Usage:
          telec [--notify[=bell|osc9|osc777]] [--config PATH] [--socket PATH]     interactive UI
          telec list [sessions|computers|projects] [--waiting] [--json] [--socket PATH]
          telec projects [list] [--json]                      projects of every computer
          telec projects add PATH [--name NAME] [--description TEXT]
          telec projects remove PATH                          only projects added with `add`
          telec send SESSION_ID TEXT...                       type TEXT into the session (- reads stdin)
          telec attach SESSION_ID [--config PATH]             open the session's terminal
          telec --help

        Options:
          --socket PATH   the daemon's Unix socket (default: $XDG_RUNTIME_DIR/teleclaude/teleclaude.sock,
                          else ~/.teleclaude/teleclaude.sock)
          --json          print snake_case JSON instead of aligned text (list, projects)
          --waiting       list only sessions waiting for you, the one waiting longest first
          --config PATH   telec's settings (default: $XDG_CONFIG_HOME/teleclaude/telec.json,
                          else ~/.config/teleclaude/telec.json)
          --notify[=MODE] alert when a session starts waiting: bell (default), osc9 or osc777
                          (desktop notification); overrides the setting "notify"
          -h, --help      show this help

        Keys in the UI: 1/2/3 views (sessions, preparation, needs you), Tab tree/preview, Enter open
        the session's terminal (or expand), m message, y/n answer a waiting session, w next waiting,
        / find, n new session, k end session, a add project, x remove project, t screen/transcript,
        r refresh, ? help, q quit.

        Exit codes: 0 ok, 1 daemon unreachable or request failed, 2 bad usage.
        Start the daemon with: dotnet run --project src/TeleClaude.Daemon

        """;

    public static Parsed Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? socket = null;
        string? config = null;
        string? notify = null;
        string? name = null;
        string? description = null;
        var json = false;
        var waiting = false;
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                positional.AddRange(args.Skip(i + 1));
                break;
            }

            switch (arg)
            {
                case "-h" or "--help" or "help":
                    return new Help();
                case "--json":
                    json = true;
                    continue;
                case "--waiting":
                    waiting = true;
                    continue;
                case "--notify":
                    notify = NotifyModes.Bell;
                    continue;
            }

            string? missing = null;
            if (TryValue(args, ref i, "--socket", out var value, ref missing))
            {
                socket = value;
            }
            else if (TryValue(args, ref i, "--config", out value, ref missing))
            {
                config = value;
            }
            else if (TryValue(args, ref i, "--name", out value, ref missing))
            {
                name = value;
            }
            else if (TryValue(args, ref i, "--description", out value, ref missing))
            {
                description = value;
            }
            else if (arg.StartsWith("--notify=", StringComparison.Ordinal))
            {
                notify = arg["--notify=".Length..];
                if (!NotifyModes.All.Contains(notify, StringComparer.Ordinal))
                {
                    return new Invalid($"--notify takes {string.Join(", ", NotifyModes.All)} (got '{notify}').");
                }
            }
            else if (missing is not null)
            {
                return new Invalid(missing);
            }
            else if (arg.StartsWith('-') && arg != "-")
            {
                return new Invalid($"unknown option '{arg}'.");
            }
            else
            {
                positional.Add(arg);
            }
        }

        socket ??= SocketPaths.Default();
        if (positional.Count == 0)
        {
            return json || waiting ? new Invalid("--json and --waiting go with `telec list`.") : new Interactive(socket, config, notify);
        }

        return positional[0] switch
        {
            "list" => ParseList(positional, json, waiting, socket),
            "projects" => ParseProjects(positional, json, name, description, socket),
            "send" => positional.Count < 3
                ? new Invalid("`telec send` needs a session id and the text (or - to read it from stdin).")
                : new Send(positional[1], string.Join(' ', positional.Skip(2)), socket),
            "attach" => positional.Count != 2
                ? new Invalid("`telec attach` needs exactly one session id.")
                : new AttachSession(positional[1], socket, config),
            _ => new Invalid($"unknown command '{positional[0]}' (known: list, projects, send, attach)."),
        };
    }

    private static Parsed ParseList(List<string> positional, bool json, bool waiting, string socket)
    {
        if (positional.Count > 2)
        {
            return new Invalid($"unexpected argument '{positional[2]}'.");
        }

        var what = positional.Count == 2 ? positional[1] : "sessions";
        if (waiting && what != "sessions")
        {
            return new Invalid("--waiting lists sessions only.");
        }

        return what switch
        {
            "sessions" => new List(ListTarget.Sessions, json, socket, waiting),
            "computers" => new List(ListTarget.Computers, json, socket),
            "projects" => new List(ListTarget.Projects, json, socket),
            _ => new Invalid($"cannot list '{what}' (use sessions, computers or projects)."),
        };
    }

    private static Parsed ParseProjects(List<string> positional, bool json, string? name, string? description, string socket)
    {
        var action = positional.Count > 1 ? positional[1] : "list";
        return action switch
        {
            "list" when positional.Count <= 2 => new List(ListTarget.Projects, json, socket),
            "add" when positional.Count == 3 => new Projects(ProjectsAction.Add, positional[2], name, description, socket),
            "remove" when positional.Count == 3 => new Projects(ProjectsAction.Remove, positional[2], null, null, socket),
            "add" or "remove" => new Invalid($"`telec projects {action}` needs exactly one directory path."),
            "list" => new Invalid($"unexpected argument '{positional[2]}'."),
            _ => new Invalid($"unknown projects command '{action}' (known: list, add, remove)."),
        };
    }

    /// <summary>Reads <c>--name VALUE</c> or <c>--name=VALUE</c>; <paramref name="missing"/> says what is wrong when the value is absent.</summary>
    private static bool TryValue(IReadOnlyList<string> args, ref int i, string option, out string? value, ref string? missing)
    {
        value = null;
        var arg = args[i];
        if (arg == option)
        {
            if (i + 1 >= args.Count || string.IsNullOrWhiteSpace(args[i + 1]))
            {
                missing = $"{option} needs a value.";
                return false;
            }

            value = args[++i];
            return true;
        }

        if (arg.StartsWith(option + "=", StringComparison.Ordinal))
        {
            value = arg[(option.Length + 1)..];
            if (value.Length == 0)
            {
                missing = $"{option} needs a value.";
                value = null;
                return false;
            }

            return true;
        }

        return false;
    }

    internal abstract record Parsed;

    internal sealed record Help : Parsed;

    internal sealed record Invalid(string Problem) : Parsed;

    internal sealed record Interactive(string SocketPath, string? ConfigPath = null, string? Notify = null) : Parsed;

    internal sealed record List(ListTarget Target, bool Json, string SocketPath, bool Waiting = false) : Parsed;

    internal sealed record Projects(ProjectsAction Action, string Path, string? Name, string? Description, string SocketPath) : Parsed;

    internal sealed record Send(string SessionId, string Text, string SocketPath) : Parsed;

    internal sealed record AttachSession(string SessionId, string SocketPath, string? ConfigPath) : Parsed;
}

internal enum ListTarget
{
    Sessions,
    Computers,
    Projects,
}

internal enum ProjectsAction
{
    Add,
    Remove,
}
