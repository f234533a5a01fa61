using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Telec.Settings;

namespace Telec.Cli;

/// <summary>
/// telec's command line, on System.CommandLine: the model behind parsing, usage errors, subcommand help, <c>--version</c>
/// and the shells' completions (<c>telec completions bash|zsh|fish</c>, answered by the <c>[suggest]</c> directive).
/// <see cref="Parse"/> turns a parse into one of the records below, which <c>Program</c> runs; the overview
/// (<see cref="HelpText"/>) stays written by hand, with the UI's keys and the exit codes the library cannot know.
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
          telec completions bash|zsh|fish                     print the shell's completion script
          telec --version
          telec --help                                        this help; `telec COMMAND --help` for one command

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

        Completions: source <(telec completions bash) in ~/.bashrc (zsh likewise, after compinit);
        fish: telec completions fish > ~/.config/fish/completions/telec.fish

        Exit codes: 0 ok, 1 daemon unreachable, request failed or a daemon of another contract, 2 bad usage.
        Start the daemon with: teleclaude run (installed), or dotnet run --project src/TeleClaude.Daemon

        """;

    public const string Name = "telec";

    private static readonly ParserConfiguration Configuration = new() { ResponseFileTokenReplacer = null };

    public static Parsed Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var model = new Model();
        var result = model.Root.Parse(args, Configuration);
        if (result.Action is HelpAction && result.CommandResult.Command == model.Root)
        {
            return new Help();
        }

        if (result.Action is ParseErrorAction)
        {
            // One line: the last error is the most specific ("Unrecognized command or argument 'x'." over "Required command was not provided.").
            var error = result.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? result.Errors[^1];
            return new Invalid(string.Join(' ', error.Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }

        if (result.Action is not OwnCommand)
        {
            // telec's own commands are mapped below; any other action is the library's.
            return new Library(result);
        }

        var command = result.CommandResult.Command;
        var socket = result.GetValue(model.Socket) ?? SocketPaths.Default();
        var json = result.GetValue(model.Json);
        var waiting = result.GetValue(model.Waiting);
        if (command == model.Help)
        {
            return new Help();
        }

        if (command == model.Root)
        {
            return json || waiting
                ? new Invalid("--json and --waiting go with `telec list`.")
                : new Interactive(socket, result.GetValue(model.Config), result.GetResult(model.Notify) is { } notify ? notify.Tokens is [{ Value: var mode }] ? mode : NotifyModes.Bell : null);
        }

        if (waiting && command != model.List)
        {
            return new Invalid("--waiting goes with `telec list`.");
        }

        if (json && command != model.List && command != model.Projects && command != model.ProjectsList)
        {
            return new Invalid("--json goes with `telec list` and `telec projects`.");
        }

        if (command == model.List)
        {
            var what = result.GetValue(model.ListWhat) ?? "sessions";
            return waiting && what != "sessions"
                ? new Invalid("--waiting lists sessions only.")
                : new List(Enum.Parse<ListTarget>(what, ignoreCase: true), json, socket, waiting);
        }

        if (command == model.Projects || command == model.ProjectsList)
        {
            return new List(ListTarget.Projects, json, socket);
        }

        if (command == model.ProjectsAdd)
        {
            return new Projects(ProjectsAction.Add, result.GetValue(model.AddPath)!, result.GetValue(model.ProjectName), result.GetValue(model.ProjectDescription), socket);
        }

        if (command == model.ProjectsRemove)
        {
            return new Projects(ProjectsAction.Remove, result.GetValue(model.RemovePath)!, null, null, socket);
        }

        if (command == model.Send)
        {
            return new Send(result.GetValue(model.SendId)!, string.Join(' ', result.GetValue(model.SendText)!), socket);
        }

        if (command == model.Attach)
        {
            return new AttachSession(result.GetValue(model.AttachId)!, socket, result.GetValue(model.Config));
        }

        throw new InvalidOperationException($"Unhandled command {command.Name}.");
    }

    /// <summary>telec's commands and options: the one model for parsing, help of each command and completions.</summary>
    private sealed class Model
    {
        public Model()
        {
            Root = new RootCommand("telec - terminal UI of TeleClaude: the sessions of every computer, live.")
            {
                TreatUnmatchedTokensAsErrors = true,
            };
            foreach (var option in Root.Options)
            {
                if (option is VersionOption version)
                {
                    version.Action = new WriteAction(r => r.InvocationConfiguration.Output.WriteLine(TeleClaude.Daemon.CommandLine.BuildInfo.Describe()));
                }
            }

            Socket.Validators.Add(NotEmpty);
            Config.Validators.Add(NotEmpty);
            ProjectName.Validators.Add(NotEmpty);
            ProjectDescription.Validators.Add(NotEmpty);
            Notify.AcceptOnlyFromAmong([.. NotifyModes.All]);
            Root.Add(Socket);
            Root.Add(Json);
            Root.Add(Waiting);
            Root.Add(Config);
            Root.Add(Notify);

            ListWhat.AcceptOnlyFromAmong("sessions", "computers", "projects");
            List.Add(ListWhat);
            Root.Add(List);

            ProjectsAdd.Add(AddPath);
            ProjectsAdd.Add(ProjectName);
            ProjectsAdd.Add(ProjectDescription);
            ProjectsRemove.Add(RemovePath);
            Projects.Add(ProjectsList);
            Projects.Add(ProjectsAdd);
            Projects.Add(ProjectsRemove);
            Root.Add(Projects);

            Send.Add(SendId);
            Send.Add(SendText);
            Root.Add(Send);

            Attach.Add(AttachId);
            Root.Add(Attach);

            var shell = new Argument<string>("shell") { Description = "bash, zsh or fish." };
            shell.AcceptOnlyFromAmong(TeleClaude.Daemon.CommandLine.CompletionScripts.Shells);
            var completions = new Command("completions", "Print the shell completion script: source <(telec completions bash), zsh likewise, fish into ~/.config/fish/completions/.") { shell };
            completions.Action = new CompletionsAction(shell);
            Root.Add(completions);
            Root.Add(Help);
            foreach (var command in (Command[])[Root, List, Projects, ProjectsList, ProjectsAdd, ProjectsRemove, Send, Attach, Help])
            {
                command.Action = OwnCommand.Instance;
            }
        }

        public RootCommand Root { get; }

        public Command Help { get; } = new("help", "Show the overview.") { Hidden = true };

        public Option<string> Socket { get; } = new("--socket") { Description = "The daemon's Unix socket.", HelpName = "PATH", Recursive = true };

        public Option<bool> Json { get; } = new("--json") { Description = "Print snake_case JSON instead of aligned text.", Recursive = true };

        public Option<bool> Waiting { get; } = new("--waiting") { Description = "List only sessions waiting for you, the one waiting longest first.", Recursive = true };

        public Option<string> Config { get; } = new("--config") { Description = "telec's settings file.", HelpName = "PATH", Recursive = true };

        /// <summary><c>--notify</c> alone is the bell; <c>--notify=MODE</c> names the mode.</summary>
        public Option<string> Notify { get; } = new("--notify")
        {
            Description = "Alert when a session starts waiting: bell (default), osc9 or osc777.",
            HelpName = "MODE",
            Arity = ArgumentArity.ZeroOrOne,
        };

        public Command List { get; } = new("list", "Print the sessions, computers or projects of every computer.");

        public Argument<string> ListWhat { get; } = new("what") { Description = "sessions (default), computers or projects.", Arity = ArgumentArity.ZeroOrOne };

        public Command Projects { get; } = new("projects", "The projects of every computer; add or remove this computer's.");

        public Command ProjectsList { get; } = new("list", "Print the projects of every computer.");

        public Command ProjectsAdd { get; } = new("add", "Add an existing directory of this computer as a project.");

        public Argument<string> AddPath { get; } = new("path") { Description = "The directory (relative paths are resolved here)." };

        public Option<string> ProjectName { get; } = new("--name") { Description = "The project's name (default: the directory's).", HelpName = "NAME" };

        public Option<string> ProjectDescription { get; } = new("--description") { Description = "One line about the project.", HelpName = "TEXT" };

        public Command ProjectsRemove { get; } = new("remove", "Remove a project added with `telec projects add` (its files stay).");

        public Argument<string> RemovePath { get; } = new("path") { Description = "The project's directory." };

        public Command Send { get; } = new("send", "Type text into a session on any computer.");

        public Argument<string> SendId { get; } = new("session-id") { Description = "The session." };

        public Argument<string[]> SendText { get; } = new("text") { Description = "The text (- reads it from stdin).", Arity = ArgumentArity.OneOrMore };

        public Command Attach { get; } = new("attach", "Open the session's terminal (tmux attach, over ssh for another computer).");

        public Argument<string> AttachId { get; } = new("session-id") { Description = "The session." };

        private static void NotEmpty(OptionResult result)
        {
            if (result.Tokens is [{ Value: var value }] && string.IsNullOrWhiteSpace(value))
            {
                result.AddError($"{result.Option.Name} needs a value.");
            }
        }
    }

    /// <summary>Marks telec's own commands, which <see cref="Parse"/> maps to records (the root needs an action to run without a command).</summary>
    private sealed class OwnCommand : SynchronousCommandLineAction
    {
        public static readonly OwnCommand Instance = new();

        public override int Invoke(ParseResult parseResult) => throw new InvalidOperationException("telec's commands run from Program, not from the parser.");
    }

    /// <summary><c>telec completions SHELL</c>: the script that hands completion to telec's <c>[suggest]</c> directive.</summary>
    private sealed class CompletionsAction(Argument<string> shell) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.Write(TeleClaude.Daemon.CommandLine.CompletionScripts.For(parseResult.GetValue(shell)!, Name));
            return 0;
        }
    }

    private sealed class WriteAction(Action<ParseResult> write) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            write(parseResult);
            return 0;
        }
    }

    internal abstract record Parsed;

    internal sealed record Help : Parsed;

    internal sealed record Invalid(string Problem) : Parsed;

    /// <summary>What the library does itself: a command's help, <c>--version</c>, completions and the <c>[suggest]</c> directive.</summary>
    internal sealed record Library(ParseResult Result) : Parsed;

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
