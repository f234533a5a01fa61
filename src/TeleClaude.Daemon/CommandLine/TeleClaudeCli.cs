using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using TeleClaude.Daemon.Agents;
using TeleClaude.Daemon.Hosting;
using TeleClaude.Daemon.Mcp;
using TeleClaude.Daemon.Security;
using TeleClaude.Daemon.Service;
using TeleClaude.Daemon.Web;

namespace TeleClaude.Daemon.CommandLine;

/// <summary>
/// The <c>teleclaude</c> command line (System.CommandLine): <c>run</c> (also with no command, as before), <c>mcp</c>,
/// <c>hook</c>, <c>token</c>, <c>web</c>, <c>service</c>, <c>completions</c>, <c>--version</c>, <c>--help</c>. The model is
/// what help, usage errors and the shells' completions are made from. The commands that read the daemon's configuration
/// get their arguments as typed, so settings (<c>--TeleClaude:Name=value</c>) reach .NET configuration unchanged; the
/// switches declared here are the documented short ones, for help and completion.
/// </summary>
internal static class TeleClaudeCli
{
    public const string CommandName = "teleclaude";

    private const string SettingSources = """
        Settings (for run, token, web, service install), each source overriding the ones before it:
          1. built-in defaults
          2. appsettings.json beside the daemon
          3. your configuration file: $XDG_CONFIG_HOME/teleclaude/config.json, else ~/.config/teleclaude/config.json,
             or the file named by --config PATH / TeleClaude__ConfigFile
          4. environment variables: TeleClaude__ComputerName=mbp
          5. the command line: --TeleClaude:ComputerName=mbp, or the switches --computer --socket --db --tcp --config
        Every setting is listed in the README's configuration table.

        Exit codes: 0 stopped on request or done, 1 could not start or failed, 2 bad usage or bad configuration,
        3 (service status) no daemon answers, 70 (run) a part of the daemon failed.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);

        // A hook runs on every agent event: no parser between it and the daemon, and it never fails the agent.
        if (args is ["hook", .. var hookArgs])
        {
            return await HookClient.RunAsync(hookArgs);
        }

        args = WithRunByDefault(args);
        var root = Build(args);
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is ParseErrorAction)
        {
            // One line: the last error is the most specific ("Unrecognized command or argument 'x'." over "Required command was not provided.").
            var message = string.Join(' ', parse.Errors[^1].Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            await Console.Error.WriteLineAsync($"{CommandPath(parse, CommandName)}: {message}");
            await Console.Error.WriteLineAsync($"Run `{CommandName} --help` for usage.");
            return ExitCodes.NeedsOperator;
        }

        var help = parse.Action is HelpAction ? new StringWriter() : null;
        var invocation = new InvocationConfiguration
        {
            Output = help ?? Console.Out,
            Error = Console.Error,
            // The daemon handles SIGTERM and Ctrl+C itself (graceful stop, exit 0); the parser must not race it.
            ProcessTerminationTimeout = null,
        };
        var code = await parse.InvokeAsync(invocation);
        if (help is not null)
        {
            await Console.Out.WriteAsync(HelpText(help.ToString(), root.Name, parse.CommandResult.Command == root));
        }

        return code;
    }

    /// <summary>The words of the command a parse ended in, under <paramref name="rootName"/>: "teleclaude token show".</summary>
    internal static string CommandPath(ParseResult parse, string rootName)
    {
        var words = new List<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            words.Insert(0, result.Command.Name);
        }

        words.Insert(0, rootName);
        return string.Join(' ', words);
    }

    /// <summary>No command, or only settings: the daemon runs, as it always has (scripts and docs start it that way).</summary>
    internal static string[] WithRunByDefault(string[] args) =>
        args.Length == 0 || (args[0].StartsWith('-') && args[0] is not ("-h" or "--help" or "-?" or "/?" or "/h" or "--version"))
            ? ["run", .. args]
            : args;

    internal static RootCommand Build(string[] args)
    {
        var root = new RootCommand("TeleClaude: watch and drive AI coding-agent sessions on several computers. This is the per-computer daemon and its tools.");
        if (root.Name != CommandName)
        {
            // Run as TeleClaude.Daemon(.dll): completion lines still start with the installed command's name.
            root.Aliases.Add(CommandName);
        }

        foreach (var option in root.Options)
        {
            if (option is VersionOption version)
            {
                version.Action = new DelegateAction(r => r.InvocationConfiguration.Output.WriteLine(BuildInfo.Describe()));
            }
        }

        root.Add(RunCommand(args));
        root.Add(McpCommand(args));
        root.Add(HookCommand());
        root.Add(TokenCommandLine(args));
        root.Add(WebCommandLine(args));
        root.Add(ServiceCommand.Build(args));
        root.Add(CompletionsCommand(CommandName));
        return root;
    }

    private static Command RunCommand(string[] args)
    {
        var run = new Command("run", "Run the daemon (the default when no command is given): REST, the hub and /mcp on its Unix socket.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        AddSettingSwitches(run);
        run.SetAction(async (parse, _) => await DaemonRunner.RunAsync(ArgumentsAfter(parse, args), Console.Error));
        return run;
    }

    private static Command McpCommand(string[] args)
    {
        var mcp = new Command("mcp", "An MCP server on stdio for agents that register commands (claude mcp add teleclaude -- teleclaude mcp); forwards to the running daemon.");
        mcp.Add(new Option<string>("--socket") { Description = "The daemon's Unix socket (default: the daemon's default socket).", HelpName = "PATH" });
        mcp.SetAction(async (parse, _) => await McpStdioProxy.RunAsync(ArgumentsAfter(parse, args)));
        return mcp;
    }

    private static Command HookCommand()
    {
        // Dispatched before parsing (RunAsync); here for help and completion.
        var hook = new Command("hook", "For agents' hooks only: posts the hook's JSON (argument or stdin) to the daemon named by TELECLAUDE_SOCKET; always exits 0.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        var integration = new Argument<string>("integration") { Description = "claude or codex.", Arity = ArgumentArity.ZeroOrOne };
        integration.AcceptOnlyFromAmong(AgentIntegrationKinds.Claude, AgentIntegrationKinds.Codex);
        hook.Add(integration);
        hook.Add(new Argument<string>("json") { Description = "The hook's JSON (Codex passes it as an argument; Claude on stdin).", Arity = ArgumentArity.ZeroOrOne });
        return hook;
    }

    private static Command TokenCommandLine(string[] args)
    {
        var token = new Command("token", "The TCP listener's bearer token (it reads the daemon's settings to find the file).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };

        // No verb or an unknown one: the token command's own usage line and exit 2, as before.
        token.Add(new Argument<string>("verb") { Arity = ArgumentArity.ZeroOrOne, Hidden = true });
        token.SetAction(async (parse, _) => await TokenCommand.RunAsync(ArgumentsAfter(parse, args)));
        foreach (var (verb, description) in new[]
        {
            ("show", "Print the token (created on first use); the token alone goes to stdout."),
            ("rotate", "Replace the token; the old one is refused from the next request on."),
            ("path", "Print the token file's path."),
        })
        {
            var command = new Command(verb, description) { TreatUnmatchedTokensAsErrors = false };
            AddSettingSwitches(command);
            command.SetAction(async (parse, _) => await TokenCommand.RunAsync([verb, .. ArgumentsAfter(parse, args)]));
            token.Add(command);
        }

        return token;
    }

    private static Command WebCommandLine(string[] args)
    {
        var web = new Command("web", "Print the URL that signs a browser in to the dashboard (needs the TCP listener: --tcp).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        AddSettingSwitches(web);
        web.SetAction(async (parse, _) => await WebCommand.RunAsync(ArgumentsAfter(parse, args)));
        return web;
    }

    /// <summary><c>completions bash|zsh|fish</c>: the script that hands completion to the program's [suggest] directive.</summary>
    internal static Command CompletionsCommand(string commandName)
    {
        var completions = new Command("completions", $"Print the shell completion script: source <({commandName} completions bash), zsh likewise, fish into ~/.config/fish/completions/.");
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish." };
        shell.AcceptOnlyFromAmong(CompletionScripts.Shells);
        completions.Add(shell);
        completions.SetAction(parse => parse.InvocationConfiguration.Output.Write(CompletionScripts.For(parse.GetValue(shell)!, commandName)));
        return completions;
    }

    /// <summary>The short switches of the daemon's settings (<see cref="Configuration.ConfigurationExtensions.SwitchMappings"/>), declared for help and completion.</summary>
    internal static void AddSettingSwitches(Command command)
    {
        foreach (var (name, setting) in Configuration.ConfigurationExtensions.SwitchMappings)
        {
            command.Add(new Option<string>(name) { Description = $"Sets {setting}.", HelpName = SwitchValueName(name) });
        }
    }

    private static string SwitchValueName(string name) => name switch
    {
        "--computer" => "NAME",
        "--tcp" => "URL",
        _ => "PATH",
    };

    /// <summary>
    /// The arguments as typed after the command's own words (e.g. after <c>token show</c>), for the commands that read the
    /// daemon's configuration from them: the parser's tokens would split or reorder settings it does not know.
    /// </summary>
    internal static string[] ArgumentsAfter(ParseResult parse, string[] args)
    {
        var next = 0;
        foreach (var token in parse.Tokens)
        {
            if (token.Type != System.CommandLine.Parsing.TokenType.Command)
            {
                continue;
            }

            var at = Array.IndexOf(args, token.Value, next);
            if (at >= 0)
            {
                next = at + 1;
            }
        }

        return args[next..];
    }

    /// <summary>The library's help with the installed command's name in its usage lines, and the settings' sources below the root's.</summary>
    internal static string HelpText(string help, string rootName, bool isRoot)
    {
        var text = rootName == CommandName ? help : help.Replace("  " + rootName + " ", "  " + CommandName + " ", StringComparison.Ordinal)
            .Replace("  " + rootName + Environment.NewLine, "  " + CommandName + Environment.NewLine, StringComparison.Ordinal);
        return isRoot ? text.TrimEnd() + Environment.NewLine + Environment.NewLine + SettingSources + Environment.NewLine : text;
    }

    private sealed class DelegateAction(Action<ParseResult> action) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            action(parseResult);
            return 0;
        }
    }
}
