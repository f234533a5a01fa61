using TeleClaude.Client;
using TeleClaude.Contracts;

namespace Telec.Cli;

/// <summary><c>telec projects add PATH</c> / <c>remove PATH</c>: the first-run path, without editing configuration.</summary>
internal static class ProjectsCommand
{
    public static Task<int> RunAsync(CommandLine.Projects command, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(command);
        return Cli.RunAsync(command.SocketPath, error, async (rest, token) =>
        {
            if (command.Action == ProjectsAction.Add)
            {
                // Relative paths are the user's own: resolve them here, where the user is, not in the daemon.
                var path = Path.GetFullPath(command.Path);
                var added = await rest.AddProjectAsync(new AddProjectRequest(path, command.Name, command.Description), token);
                await output.WriteLineAsync($"added project {added.Name} ({added.Path}) on {added.Computer}");
            }
            else
            {
                var removed = await rest.RemoveProjectAsync(Path.GetFullPath(command.Path), token);
                await output.WriteLineAsync($"removed project {removed.Name} ({removed.Path}) from {removed.Computer}; its files are untouched");
            }
        });
    }
}

/// <summary><c>telec send ID TEXT</c>: types TEXT into a session on any computer (<c>-</c> reads the text from stdin).</summary>
internal static class SendCommand
{
    public static Task<int> RunAsync(CommandLine.Send command, TextReader input, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(input);
        return Cli.RunAsync(command.SocketPath, error, async (rest, token) =>
        {
            var text = command.Text == "-" ? (await input.ReadToEndAsync(token)).TrimEnd('\n') : command.Text;
            var session = await rest.SendInputAsync(command.SessionId, text, token);
            await output.WriteLineAsync($"sent to \"{session.Title ?? session.SessionId}\" on {session.Computer}");
        });
    }
}

/// <summary>The shared frame of one-shot commands: one REST client, a time limit, and the same error lines and exit codes.</summary>
internal static class Cli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(string socketPath, TextWriter error, Func<TeleClaudeRestClient, CancellationToken, Task> run)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(run);
        using var rest = new TeleClaudeRestClient(socketPath);
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            if (await ContractCheck.ProblemAsync(rest, socketPath, timeout.Token) is { } mismatch)
            {
                await error.WriteLineAsync($"telec: {mismatch}");
                return 1;
            }

            await run(rest, timeout.Token);
            return 0;
        }
        catch (TeleClaudeApiException ex)
        {
            await error.WriteLineAsync($"telec: the daemon answered {(int)ex.StatusCode}: {ex.Detail}");
            return 1;
        }
        catch (Exception ex) when (DaemonUnreachable.IsUnreachable(ex))
        {
            await error.WriteLineAsync($"telec: {DaemonUnreachable.Message(socketPath, ex)}");
            await error.WriteLineAsync(DaemonUnreachable.StartHint);
            return 1;
        }
    }
}
