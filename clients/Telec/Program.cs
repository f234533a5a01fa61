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
