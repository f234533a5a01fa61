using System.Globalization;
using System.Text.Json;
using TeleClaude.Client;
using TeleClaude.Contracts;
using Telec.Model;

namespace Telec.Cli;

/// <summary><c>telec list [sessions|computers|projects] [--json]</c>: one REST read, printed, no UI.</summary>
internal static class ListCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The wire format of the REST API (snake_case names and enum values), indented for people.</summary>
    private static readonly JsonSerializerOptions Indented = new(TeleClaudeRestClient.JsonOptions) { WriteIndented = true };

    public static async Task<int> RunAsync(CommandLine.List command, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        using var rest = new TeleClaudeRestClient(command.SocketPath);
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            if (await ContractCheck.ProblemAsync(rest, command.SocketPath, timeout.Token) is { } mismatch)
            {
                await error.WriteLineAsync($"telec: {mismatch}");
                return 1;
            }

            var text = command.Target switch
            {
                ListTarget.Sessions when command.Waiting => FormatWaiting(await rest.ListSessionsAsync(timeout.Token), command.Json),
                ListTarget.Sessions => Format(await rest.ListSessionsAsync(timeout.Token), command.Json),
                ListTarget.Computers => Format(await rest.ListComputersAsync(timeout.Token), command.Json),
                _ => Format(await rest.ListProjectsAsync(timeout.Token), command.Json),
            };
            await output.WriteAsync(text);
            return 0;
        }
        catch (TeleClaudeApiException ex)
        {
            await error.WriteLineAsync($"telec: the daemon answered {(int)ex.StatusCode}: {ex.Detail}");
            return 1;
        }
        catch (Exception ex) when (DaemonUnreachable.IsUnreachable(ex))
        {
            await error.WriteLineAsync($"telec: {DaemonUnreachable.Message(command.SocketPath, ex)}");
            await error.WriteLineAsync(DaemonUnreachable.StartHint);
            return 1;
        }
    }

    private static string Format(IReadOnlyList<SessionInfo> sessions, bool json)
    {
        if (json)
        {
            return Json(sessions);
        }

        var now = DateTimeOffset.UtcNow;
        return TextTable.Render(
            ["COMPUTER", "PROJECT", "TITLE", "AGENT", "STATUS", "ACTIVE", "ID"],
            sessions
                .OrderBy(s => s.Computer, StringComparer.Ordinal)
                .ThenBy(s => s.ProjectPath, StringComparer.Ordinal)
                .ThenBy(s => s.CreatedAt)
                .Select(s => (IReadOnlyList<string>)
                [
                    s.Computer, Rows.ProjectLabel(s.ProjectPath), Rows.OneLine(s.Title ?? Rows.Unknown, 40), s.Agent ?? Rows.Unknown,
                    Rows.StatusLabel(s.Status), Rows.Ago(now, s.LastActivity), s.SessionId,
                ]));
    }

    /// <summary>Sessions waiting for the user on every computer, the one waiting longest first, with their question.</summary>
    private static string FormatWaiting(IReadOnlyList<SessionInfo> sessions, bool json)
    {
        IReadOnlyList<SessionInfo> waiting = sessions.Where(s => s.Status == SessionStatus.Waiting)
            .OrderBy(DashboardModel.WaitingSince)
            .ThenBy(s => s.SessionId, StringComparer.Ordinal)
            .ToArray();
        if (json)
        {
            return Json(waiting);
        }

        var now = DateTimeOffset.UtcNow;
        return TextTable.Render(
            ["COMPUTER", "PROJECT", "TITLE", "WAITING", "QUESTION", "ID"],
            waiting.Select(s => (IReadOnlyList<string>)
            [
                s.Computer, Rows.ProjectLabel(s.ProjectPath), Rows.OneLine(s.Title ?? Rows.Unknown, 40),
                Rows.Age(now - DashboardModel.WaitingSince(s)), Rows.OneLine(Rows.Question(s), 80), s.SessionId,
            ]));
    }

    private static string Format(IReadOnlyList<ComputerInfo> computers, bool json)
    {
        if (json)
        {
            return Json(computers);
        }

        return TextTable.Render(
            ["NAME", "STATUS", "LAST SEEN", "USER", "HOST", "LOCAL"],
            computers.Select(c => (IReadOnlyList<string>)
            [
                c.Name, c.Status == ComputerStatus.Online ? "online" : "offline",
                c.LastSeen.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                c.User ?? Rows.Unknown, c.Host ?? Rows.Unknown, c.IsLocal ? "yes" : "no",
            ]));
    }

    private static string Format(IReadOnlyList<ProjectInfo> projects, bool json)
    {
        if (json)
        {
            return Json(projects);
        }

        return TextTable.Render(
            ["COMPUTER", "NAME", "PATH", "SOURCE", "DESCRIPTION"],
            projects.Select(p => (IReadOnlyList<string>)
                [p.Computer, p.Name, p.Path, p.Source == ProjectSource.Added ? "added" : "configured", Rows.OneLine(p.Description, 60)]));
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, Indented.GetTypeInfo(typeof(T))) + "\n";
}
