using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Agents;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Projects;
using TeleClaude.Daemon.Sessions;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Commands;

/// <summary>
/// The command handlers every adapter calls (REST for the TUI, the hub, later MCP and Redis requests).
/// Reads come from <see cref="DaemonCache"/>; writes go to SQLite and then to the cache's change feed.
/// Input is checked here, once, so every adapter rejects the same things with the same words.
/// </summary>
internal sealed partial class DaemonCommands(
    DaemonCache cache,
    SessionStore store,
    ProjectCatalog projects,
    TmuxRunner tmux,
    AgentLauncher launcher,
    AgentStateTracker tracker,
    IRemoteDataSource remote,
    IOptions<DaemonOptions> options,
    IOptions<SessionRunnerOptions> tmuxOptions,
    TimeProvider time)
{
    public const int MaxTitleLength = 200;
    public const int MaxTextLength = 65536;

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex AgentPattern();

    public string LocalComputer => cache.LocalComputerName;

    public IReadOnlyList<ComputerInfo> ListComputers() => cache.GetComputers();

    public async Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(string? computer, CancellationToken cancellationToken)
    {
        var sessions = await cache.GetSessionsAsync(cancellationToken);
        return computer is null ? sessions : sessions.Where(s => s.Computer == computer).ToArray();
    }

    public async Task<CommandResult<SessionInfo>> GetSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        var session = await store.GetAsync(sessionId, cancellationToken) ?? cache.FindRemoteSession(sessionId);
        if (session is null)
        {
            return new CommandError(CommandErrorKind.NotFound, $"No session '{sessionId}' is known on {cache.LocalComputerName} or in its cache.");
        }

        return session;
    }

    public IReadOnlyList<ProjectInfo> ListProjects(string? computer)
    {
        var list = cache.GetProjects();
        return computer is null ? list : list.Where(p => p.Computer == computer).ToArray();
    }

    public async Task<CommandResult<IReadOnlyList<TodoInfo>>> ListTodosAsync(string? computer, string? projectPath, CancellationToken cancellationToken)
    {
        computer ??= cache.LocalComputerName;
        if (string.IsNullOrWhiteSpace(projectPath))
        {
            return CommandError.Invalid("project", "Name the project by its path, e.g. ?project=/home/me/code/app.");
        }

        if (computer == cache.LocalComputerName && projects.Find(projectPath) is null)
        {
            return new CommandError(CommandErrorKind.NotFound, $"'{projectPath}' is not a configured project of {computer}.");
        }

        if (computer != cache.LocalComputerName && !cache.GetComputers().Any(c => c.Name == computer))
        {
            return new CommandError(CommandErrorKind.NotFound, $"Computer '{computer}' is not known.");
        }

        return new CommandResult<IReadOnlyList<TodoInfo>>(await cache.GetTodosAsync(computer, projectPath, cancellationToken), null);
    }

    public async Task<SessionsSnapshot> SessionsSnapshotAsync(CancellationToken cancellationToken) =>
        new(cache.GetComputers(), await cache.GetSessionsAsync(cancellationToken), time.GetUtcNow());

    public async Task<PreparationSnapshot> PreparationSnapshotAsync(CancellationToken cancellationToken)
    {
        var list = cache.GetProjects();
        var todos = await Task.WhenAll(list.Select(p => cache.GetTodosAsync(p.Computer, p.Path, cancellationToken)));
        return new PreparationSnapshot(cache.GetComputers(), list.Select((p, i) => new ProjectTodos(p, todos[i])).ToArray(), time.GetUtcNow());
    }

    public Task RefreshAsync(string view) => cache.RefreshAsync(view);

    public async Task<CommandResult<SessionInfo>> CreateSessionAsync(CreateSessionRequest? request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return CommandError.Invalid("body", "A JSON body with project_path, title and agent is required.");
        }

        var computer = request.Computer ?? cache.LocalComputerName;
        if (computer != cache.LocalComputerName)
        {
            if (!cache.GetComputers().Any(c => c.Name == computer && c.Status == ComputerStatus.Online))
            {
                return CommandError.Invalid("computer", $"Computer '{computer}' is not known or not online.");
            }

            var started = await remote.StartSessionAsync(computer, request, cancellationToken);
            if (started.Value is { } remoteSession)
            {
                // Known here at once, so the caller's next action on it is routed to its computer even before
                // the new_session event arrives (which then changes nothing).
                cache.ApplyRemoteSessionEvent(SessionEventNames.NewSession, remoteSession);
            }

            return started;
        }

        var errors = new Dictionary<string, string[]>();
        var project = projects.Find(request.ProjectPath);
        if (project is null)
        {
            errors["project_path"] = [$"'{request.ProjectPath}' is not a configured project of {computer}; see GET /projects."];
        }

        CheckText(errors, "title", request.Title, MaxTitleLength, singleLine: true);
        if (request.Agent is null || !AgentPattern().IsMatch(request.Agent))
        {
            errors["agent"] = ["Agent must be 1-64 characters of letters, digits, '.', '_' or '-' (e.g. claude)."];
        }
        else if (!options.Value.Agents.ContainsKey(request.Agent))
        {
            errors["agent"] = [$"Agent '{request.Agent}' is not configured on {computer}; configured: {string.Join(", ", options.Value.Agents.Keys.Order(StringComparer.Ordinal))}."];
        }

        if (request.Message is not null)
        {
            CheckText(errors, "message", request.Message, MaxTextLength, singleLine: false);
        }

        if (errors.Count > 0)
        {
            return new CommandError(CommandErrorKind.Invalid, "The session request is invalid.", errors);
        }

        var now = time.GetUtcNow();
        var sessionId = Guid.NewGuid().ToString("N");
        var session = new SessionInfo(
            sessionId, computer, request.Title.Trim(), project!.Path, SessionStatus.Starting, request.Agent!, now, now,
            request.Message, null, TmuxSocket: tmuxOptions.Value.TmuxSocketName, TmuxSession: TmuxRunner.TmuxName(sessionId));
        // The terminal first, then the record: the watcher ends records whose terminal it cannot find.
        var launch = launcher.Prepare(request.Agent!, sessionId);
        try
        {
            await tmux.StartAsync(session.SessionId, project.Path, launch.Command, cancellationToken, launch.Environment);
        }
        catch (SessionRunnerException ex)
        {
            launcher.Forget(sessionId);
            return new CommandError(CommandErrorKind.Unavailable, $"The session could not start: {ex.Message}");
        }

        try
        {
            await store.InsertAsync(session, cancellationToken, launch.HookSecretHash);
        }
        catch
        {
            await tmux.KillAsync(session.SessionId, CancellationToken.None);
            throw;
        }

        cache.PublishLocalSession(SessionEventNames.NewSession, session);
        if (request.Message is not null && !tracker.HoldFirstMessage(session.SessionId, request.Agent!, request.Message))
        {
            if (!await tmux.SendAsync(session.SessionId, request.Message, cancellationToken))
            {
                return new CommandError(CommandErrorKind.Unavailable, $"Session '{session.SessionId}' started but its first message could not be sent.");
            }

            cache.PublishLocalSession(SessionEventNames.InputReceived, session, request.Message);
        }

        return session;
    }

    public async Task<CommandResult<SessionInfo>> UpdateSessionAsync(string sessionId, UpdateSessionRequest? request, CancellationToken cancellationToken)
    {
        if (request is null || (request.Title is null && request.Status is null && request.LastOutput is null))
        {
            return CommandError.Invalid("body", "Send at least one of title, status, last_output.");
        }

        var errors = new Dictionary<string, string[]>();
        if (request.Title is not null)
        {
            CheckText(errors, "title", request.Title, MaxTitleLength, singleLine: true);
        }

        if (request.Status is SessionStatus.Terminated)
        {
            errors["status"] = ["End a session with DELETE /sessions/{id}, not by setting its status."];
        }
        else if (request.Status is { } status && !Enum.IsDefined(status))
        {
            errors["status"] = ["Status must be starting, active or idle."];
        }

        if (request.LastOutput is { Length: > MaxTextLength })
        {
            errors["last_output"] = [$"last_output must be at most {MaxTextLength} characters."];
        }

        if (errors.Count > 0)
        {
            return new CommandError(CommandErrorKind.Invalid, "The session update is invalid.", errors);
        }

        return await ChangeLiveSessionAsync(sessionId, SessionEventNames.SessionUpdated, null, s => s with
        {
            Title = request.Title?.Trim() ?? s.Title,
            Status = request.Status ?? s.Status,
            LastOutput = request.LastOutput ?? s.LastOutput,
            LastActivity = time.GetUtcNow(),
        }, cancellationToken);
    }

    public async Task<CommandResult<SessionInfo>> SendInputAsync(string sessionId, SendInputRequest? request, CancellationToken cancellationToken)
    {
        if (TextProblem("text", request?.Text, MaxTextLength, singleLine: false) is { } problem)
        {
            return CommandError.Invalid("text", problem);
        }

        if (cache.FindRemoteSession(sessionId) is { } remoteSession)
        {
            return await remote.SendInputAsync(remoteSession.Computer, sessionId, request!.Text, cancellationToken);
        }

        // The input is recorded (the session works again) before the keys go: the agent may answer at once, e.g. with a
        // question, and the status its screen gives must not be overwritten by this record arriving after it.
        var wasIdle = false;
        var recorded = await ChangeLiveSessionAsync(sessionId, SessionEventNames.InputReceived, request!.Text, s =>
        {
            wasIdle = s.Status == SessionStatus.Idle;
            return s with { LastInput = request.Text, Status = SessionStatus.Active, LastActivity = time.GetUtcNow() };
        }, cancellationToken);
        if (recorded.Error is not null)
        {
            return recorded;
        }

        if (wasIdle)
        {
            // Before the keys: the agent's hook may confirm the prompt at once.
            await tracker.ExpectPromptAsync(sessionId, request.Text, cancellationToken);
        }

        if (!await tmux.SendAsync(sessionId, request.Text, cancellationToken))
        {
            return new CommandError(CommandErrorKind.Unavailable, $"Session '{sessionId}' has no running terminal any more; it will be marked ended.");
        }

        return recorded;
    }

    public async Task<CommandResult<SessionInfo>> RecordAgentStoppedAsync(string sessionId, AgentStoppedRequest? request, CancellationToken cancellationToken)
    {
        if (TextProblem("summary", request?.Summary, MaxTextLength, singleLine: false) is { } problem)
        {
            return CommandError.Invalid("summary", problem);
        }

        return await ChangeLiveSessionAsync(sessionId, SessionEventNames.AgentEvent, request!.Summary, s => s with
        {
            LastOutput = request.Summary,
            Status = SessionStatus.Idle,
            LastActivity = time.GetUtcNow(),
        }, cancellationToken);
    }

    public async Task<CommandResult<SessionInfo>> EndSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (cache.FindRemoteSession(sessionId) is { } remoteSession)
        {
            return await remote.EndSessionAsync(remoteSession.Computer, sessionId, cancellationToken);
        }

        await tmux.KillAsync(sessionId, cancellationToken);
        var ended = await store.UpdateAsync(sessionId, s => s.Status == SessionStatus.Terminated ? s : s with
        {
            Status = SessionStatus.Terminated,
            LastActivity = time.GetUtcNow(),
        }, cancellationToken);
        if (ended is null)
        {
            return NotFound(sessionId);
        }

        cache.PublishLocalSession(SessionEventNames.SessionTerminated, ended);
        return ended;
    }

    private async Task<CommandResult<SessionInfo>> ChangeLiveSessionAsync(
        string sessionId, string eventName, string? detail, Func<SessionInfo, SessionInfo> change, CancellationToken cancellationToken)
    {
        if (cache.FindRemoteSession(sessionId) is { } remoteSession)
        {
            return new CommandError(CommandErrorKind.Unsupported, $"Session '{sessionId}' runs on {remoteSession.Computer}; change it there.");
        }

        var terminated = false;
        var updated = await store.UpdateAsync(sessionId, s =>
        {
            terminated = s.Status == SessionStatus.Terminated;
            return terminated ? s : change(s);
        }, cancellationToken);
        if (updated is null)
        {
            return NotFound(sessionId);
        }

        if (terminated)
        {
            return CommandError.Invalid("session_id", $"Session '{sessionId}' has ended; it takes no more changes.");
        }

        cache.PublishLocalSession(eventName, updated, detail);
        return updated;
    }

    private CommandError NotFound(string sessionId) =>
        new(CommandErrorKind.NotFound, $"No session '{sessionId}' on {cache.LocalComputerName}.");

    /// <summary>Adds the problem with <paramref name="value"/>, if any, to <paramref name="errors"/>.</summary>
    private static void CheckText(Dictionary<string, string[]> errors, string field, string? value, int maxLength, bool singleLine)
    {
        if (TextProblem(field, value, maxLength, singleLine) is { } problem)
        {
            errors[field] = [problem];
        }
    }

    /// <summary>What is wrong with a text field, or null when it is fine.</summary>
    private static string? TextProblem(string field, string? value, int maxLength, bool singleLine)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return $"{field} is required and must not be blank.";
        }

        if (value.Length > maxLength)
        {
            return $"{field} must be at most {maxLength} characters (got {value.Length}).";
        }

        if (value.Contains('\0', StringComparison.Ordinal) || (singleLine && value.Any(char.IsControl)))
        {
            return singleLine ? $"{field} must be one line without control characters." : $"{field} must not contain NUL characters.";
        }

        return null;
    }
}
