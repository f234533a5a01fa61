using System.Net;
using TeleClaude.Client;
using Telec.Attach;
using Telec.Settings;

namespace Telec.Cli;

/// <summary>
/// <c>telec attach ID</c>: opens a session's terminal from a script or another shell, as Enter does in the UI (inside
/// tmux in a new window or split, else in this terminal until detach). Exit code: the attach command's, or 1.
/// </summary>
internal static class AttachCommand
{
    public static async Task<int> RunAsync(CommandLine.AttachSession command, TelecSettings settings, string settingsPath, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(error);
        AttachPlan? plan = null;
        var name = command.SessionId;
        var status = await Cli.RunAsync(command.SocketPath, error, async (rest, token) =>
        {
            TeleClaude.Contracts.SessionInfo session;
            try
            {
                session = await rest.GetSessionAsync(command.SessionId, token);
            }
            catch (TeleClaudeApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                throw new TeleClaudeApiException(ex.StatusCode, $"no session '{command.SessionId}' is known to the daemon (ended long ago, or a typo?)", ex.Body);
            }

            name = session.Title ?? session.SessionId;
            var computer = (await rest.ListComputersAsync(token)).FirstOrDefault(c => c.Name == session.Computer);
            var (planned, problem) = AttachPlan.For(session, computer, settings, Attacher.InsideTmux, settingsPath);
            if (planned is null)
            {
                await error.WriteLineAsync($"telec: {problem}");
                return;
            }

            if (await Attacher.CheckAsync(planned, name, token) is { } gone)
            {
                await error.WriteLineAsync($"telec: {gone}");
                return;
            }

            plan = planned;
        });
        if (status != 0 || plan is null)
        {
            return 1;
        }

        if (plan.Mode != AttachMode.Foreground)
        {
            var problem = await Attacher.OpenInTmuxAsync(plan, "tc:" + name, CancellationToken.None);
            if (problem is not null)
            {
                await error.WriteLineAsync($"telec: {problem}");
                return 1;
            }

            return 0;
        }

        return Attacher.RunForeground(plan).ExitCode;
    }
}
