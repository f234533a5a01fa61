using Telec.Cli;
using Telec.Ui;

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
    case CommandLine.Interactive interactive:
        return await TelecApp.RunAsync(interactive.SocketPath, Console.Error);
    default:
        throw new InvalidOperationException($"Unhandled command {parsed}.");
}
