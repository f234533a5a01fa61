namespace Telec.Cli;

/// <summary>Hand-written parser of telec's small command line (no extra package needed).</summary>
internal static class CommandLine
{
    public const string HelpText = """
        telec - terminal UI of TeleClaude

        Usage:
          telec [--socket PATH]                                    interactive UI
          telec list [sessions|computers|projects] [--json] [--socket PATH]
          telec --help

        Options:
          --socket PATH   the daemon's Unix socket (default: $XDG_RUNTIME_DIR/teleclaude/teleclaude.sock,
                          else ~/.teleclaude/teleclaude.sock)
          --json          print snake_case JSON instead of aligned text (list only)
          -h, --help      show this help

        Keys in the UI: Tab/1/2 switch view, arrows move, Enter expand/collapse, r refresh,
        n new session on the selected project, k end the selected session, ? help, q quit.

        Exit codes: 0 ok, 1 daemon unreachable or request failed, 2 bad usage.
        Start the daemon with: dotnet run --project src/TeleClaude.Daemon

        """;

    public static Parsed Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? socket = null;
        var json = false;
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "-h" or "--help" or "help":
                    return new Help();
                case "--json":
                    json = true;
                    break;
                case "--socket":
                    if (i + 1 >= args.Count || string.IsNullOrWhiteSpace(args[i + 1]))
                    {
                        return new Invalid("--socket needs a path.");
                    }

                    socket = args[++i];
                    break;
                default:
                    if (arg.StartsWith("--socket=", StringComparison.Ordinal))
                    {
                        socket = arg["--socket=".Length..];
                        if (socket.Length == 0)
                        {
                            return new Invalid("--socket needs a path.");
                        }
                    }
                    else if (arg.StartsWith('-'))
                    {
                        return new Invalid($"unknown option '{arg}'.");
                    }
                    else
                    {
                        positional.Add(arg);
                    }

                    break;
            }
        }

        socket ??= SocketPaths.Default();
        if (positional.Count == 0)
        {
            return json ? new Invalid("--json goes with `telec list`.") : new Interactive(socket);
        }

        if (positional[0] != "list")
        {
            return new Invalid($"unknown command '{positional[0]}' (known: list).");
        }

        if (positional.Count > 2)
        {
            return new Invalid($"unexpected argument '{positional[2]}'.");
        }

        var what = positional.Count == 2 ? positional[1] : "sessions";
        return what switch
        {
            "sessions" => new List(ListTarget.Sessions, json, socket),
            "computers" => new List(ListTarget.Computers, json, socket),
            "projects" => new List(ListTarget.Projects, json, socket),
            _ => new Invalid($"cannot list '{what}' (use sessions, computers or projects)."),
        };
    }

    internal abstract record Parsed;

    internal sealed record Help : Parsed;

    internal sealed record Invalid(string Problem) : Parsed;

    internal sealed record Interactive(string SocketPath) : Parsed;

    internal sealed record List(ListTarget Target, bool Json, string SocketPath) : Parsed;
}

internal enum ListTarget
{
    Sessions,
    Computers,
    Projects,
}
