using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Commands;
using TeleClaude.Daemon.Sessions;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Agents;

/// <summary>
/// The command handlers of issue 11 that REST and MCP share: answering a waiting session and reading a session's
/// conversation. Like <see cref="DaemonCommands"/>, input is checked here once, so both adapters refuse the same
/// things with the same words.
/// </summary>
internal sealed class AgentCommands(
    SessionStore store,
    DaemonCache cache,
    TmuxRunner tmux,
    AgentStateTracker tracker,
    TranscriptReader transcripts,
    OutputWatcher watcher,
    IRemoteDataSource remote,
    AgentCounters counters,
    TimeProvider time)
{
    public const int DefaultMessageLimit = 50;
    public const int MaxMessageLimit = 500;

    /// <summary>
    /// Sends the key of one of a waiting session's choices the way its agent expects it: a digit alone for a numbered
    /// menu (Claude's dialogs act on the key), a letter followed by Enter for a line prompt such as <c>[y/n]</c>.
    /// </summary>
    public async Task<CommandResult<SessionInfo>> AnswerAsync(string sessionId, AnswerRequest? request, CancellationToken cancellationToken)
    {
        if (ChoiceProblem(request) is { } problem)
        {
            return problem;
        }

        if (cache.FindRemoteSession(sessionId) is { } remoteSession)
        {
            return await remote.AnswerAsync(remoteSession.Computer, sessionId, request!.Choice, cancellationToken);
        }

        return await AnswerLocalAsync(sessionId, request, cancellationToken);
    }

    /// <summary>
    /// <see cref="AnswerAsync"/> for this computer's sessions only: what another computer's request may do here (a session
    /// this daemon does not run is not found, never forwarded on).
    /// </summary>
    public async Task<CommandResult<SessionInfo>> AnswerLocalAsync(string sessionId, AnswerRequest? request, CancellationToken cancellationToken)
    {
        if (ChoiceProblem(request) is { } problem)
        {
            return problem;
        }

        if (await store.GetAsync(sessionId, cancellationToken) is not { } session)
        {
            return NotFound(sessionId);
        }

        if (session is not { Status: SessionStatus.Waiting, Waiting: { } waiting })
        {
            return new CommandError(CommandErrorKind.Conflict, $"Session '{sessionId}' is {Format(session.Status)}, not waiting for an answer.");
        }

        if (waiting.Choices.Count == 0)
        {
            return new CommandError(CommandErrorKind.Conflict,
                $"Session '{sessionId}' waits, but its choices are not known (yet): the dialog may still be drawing, or it takes free text (send it as input).");
        }

        if (waiting.Choices.FirstOrDefault(c => c.Key == request!.Choice) is not { } choice)
        {
            return CommandError.Invalid("choice", $"'{request!.Choice}' is not one of the session's choices: {string.Join(", ", waiting.Choices.Select(c => $"{c.Key} ({c.Label})"))}.");
        }

        if (tracker.KeyDelay(sessionId) is { Ticks: > 0 } settle)
        {
            await Task.Delay(settle, time, cancellationToken);
        }

        var sent = await tmux.SendKeyAsync(sessionId, choice.Key, cancellationToken)
            && (choice.Key.All(char.IsAsciiDigit) || await tmux.SendKeyAsync(sessionId, "Enter", cancellationToken));
        if (!sent)
        {
            return new CommandError(CommandErrorKind.Unavailable, $"Session '{sessionId}' has no running terminal any more; it will be marked ended.");
        }

        counters.Answered();
        return await tracker.OnAnsweredAsync(sessionId, choice, cancellationToken) is { } answered ? answered : NotFound(sessionId);
    }

    /// <summary>A page of the session's conversation from its transcript, or its screen when it has none.</summary>
    public async Task<CommandResult<SessionMessages>> GetMessagesAsync(string sessionId, string? since, int? limit, CancellationToken cancellationToken)
    {
        if (PageProblem(since, limit) is { } problem)
        {
            return problem;
        }

        if (cache.FindRemoteSession(sessionId) is { } remoteSession)
        {
            return await remote.FetchMessagesAsync(remoteSession.Computer, sessionId, since, limit ?? DefaultMessageLimit, cancellationToken);
        }

        return await GetLocalMessagesAsync(sessionId, since, limit, cancellationToken);
    }

    /// <summary><see cref="GetMessagesAsync"/> for this computer's sessions only (what another computer's request may read here).</summary>
    public async Task<CommandResult<SessionMessages>> GetLocalMessagesAsync(string sessionId, string? since, int? limit, CancellationToken cancellationToken)
    {
        if (PageProblem(since, limit) is { } problem)
        {
            return problem;
        }

        var take = limit ?? DefaultMessageLimit;
        if (await store.GetAsync(sessionId, cancellationToken) is not { } session || await store.GetAgentLinkAsync(sessionId, cancellationToken) is not { } link)
        {
            return NotFound(sessionId);
        }

        if (link.TranscriptPath is { } path)
        {
            try
            {
                var page = transcripts.Read(path, since, take);
                return new SessionMessages(sessionId, "transcript", page.Messages, page.NextCursor);
            }
            catch (TranscriptMissingException ex)
            {
                return new CommandError(CommandErrorKind.NotFound, $"Session '{sessionId}': {ex.Message}");
            }
            catch (IOException ex)
            {
                return new CommandError(CommandErrorKind.Unavailable, $"Session '{sessionId}': its transcript could not be read ({ex.Message}).");
            }
        }

        var screen = session.Status == SessionStatus.Terminated
            ? session.LastOutput
            : await watcher.CaptureNowAsync(sessionId, cancellationToken) ?? session.LastOutput;
        SessionMessage[] messages = string.IsNullOrEmpty(screen) ? [] : [new SessionMessage("screen", "assistant", screen, time.GetUtcNow())];
        return new SessionMessages(sessionId, "screen", messages, null);
    }

    private static CommandError? ChoiceProblem(AnswerRequest? request) =>
        string.IsNullOrWhiteSpace(request?.Choice) || request.Choice.Length > 16
            ? CommandError.Invalid("choice", "choice is required: the key of one of the session's waiting.choices (e.g. \"1\").")
            : null;

    private static CommandError? PageProblem(string? since, int? limit)
    {
        var take = limit ?? DefaultMessageLimit;
        if (take is < 1 or > MaxMessageLimit)
        {
            return CommandError.Invalid("limit", $"limit must be between 1 and {MaxMessageLimit} (got {take}).");
        }

        try
        {
            TranscriptReader.ParseCursor(since);
            return null;
        }
        catch (FormatException ex)
        {
            return CommandError.Invalid("since", ex.Message);
        }
    }

    private CommandError NotFound(string sessionId) =>
        new(CommandErrorKind.NotFound, $"No session '{sessionId}' on {cache.LocalComputerName}.");

    private static string Format(SessionStatus status) => status.ToString().ToLowerInvariant();
}
