using System.CommandLine;
using Telec.Cli;
using Telec.Diagnostics;
using Telec.Settings;
using Telec.Ui;

StartupTrace.Mark("main");
var parsed = CommandLine.Parse(args);
switch (parsed)
{
    case CommandLine.Help:
        Console.Out.Write(CommandLine.HelpText);
        return 0;
    case CommandLine.Invalid invalid:
        await Console.Error.WriteLineAsync($"telec: {invalid.Problem}");
        await Console.Error.WriteLineAsync("Run `telec --help` for usage.");
        return 2;
    case CommandLine.Library library:
        // A command's help, --version, completions, the [suggest] directive: the library's own actions.
        return await library.Result.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    case CommandLine.List list:
        return await ListCommand.RunAsync(list, Console.Out, Console.Error);
    case CommandLine.Projects projects:
        return await ProjectsCommand.RunAsync(projects, Console.Out, Console.Error);
    case CommandLine.Send send:
        return await SendCommand.RunAsync(send, Console.In, Console.Out, Console.Error);
    case CommandLine.AttachSession attach:
        return LoadSettings(attach.ConfigPath, null) is var (settings, path, ok) && ok
            ? await AttachCommand.RunAsync(attach, settings!, path, Console.Error)
            : 2;
    case CommandLine.Interactive interactive:
        if (await MismatchAsync(interactive.SocketPath) is { } mismatch)
        {
            await Console.Error.WriteLineAsync($"telec: {mismatch}");
            return 1;
        }

        return LoadSettings(interactive.ConfigPath, interactive.Notify) is var (uiSettings, uiPath, uiOk) && uiOk
            ? await TelecApp.RunAsync(interactive.SocketPath, uiSettings!, uiPath, Console.Error)
            : 2;
    default:
        throw new InvalidOperationException($"Unhandled command {parsed}.");
}

// A bad settings file stops telec with one line naming the setting (exit 2), before anything else happens.
static (TelecSettings? Settings, string Path, bool Ok) LoadSettings(string? configPath, string? notify)
{
    var path = configPath ?? TelecSettings.DefaultPath();
    var (settings, problem) = TelecSettings.Load(path);
    if (settings is null)
    {
        Console.Error.WriteLine($"telec: {problem}");
        return (null, path, false);
    }

    return (notify is null ? settings : settings with { Notify = notify }, path, true);
}

// A daemon of another contract is said plainly before the UI starts. One that does not answer yet is the UI's to wait for.
static async Task<string?> MismatchAsync(string socketPath)
{
    if (!File.Exists(socketPath))
    {
        return null;
    }

    try
    {
        using var rest = new TeleClaude.Client.TeleClaudeRestClient(socketPath);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        return await ContractCheck.ProblemAsync(rest, socketPath, timeout.Token);
    }
    catch (Exception ex) when (DaemonUnreachable.IsUnreachable(ex) || ex is TeleClaude.Client.TeleClaudeApiException or System.Text.Json.JsonException)
    {
        return null;
    }
}
