using TeleClaude.Contracts;
using TeleClaude.Daemon.Commands;

namespace TeleClaude.Daemon.Caching;

/// <summary>Pulls data from, and runs session actions on, another computer's daemon (request/response over Redis).</summary>
internal interface IRemoteDataSource
{
    Task<CommandResult<SessionInfo>> StartSessionAsync(string computer, CreateSessionRequest request, CancellationToken cancellationToken);

    Task<CommandResult<SessionInfo>> EndSessionAsync(string computer, string sessionId, CancellationToken cancellationToken);

    Task<CommandResult<SessionInfo>> SendInputAsync(string computer, string sessionId, string text, CancellationToken cancellationToken);

    /// <summary>A computer's live sessions, as it reports them (possibly partial: merged onto what the cache knows).</summary>
    Task<IReadOnlyList<SessionPatch>> FetchSessionsAsync(string computer, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProjectInfo>> FetchProjectsAsync(string computer, CancellationToken cancellationToken);

    Task<IReadOnlyList<TodoInfo>> FetchTodosAsync(string computer, string projectPath, CancellationToken cancellationToken);

    /// <summary>Answers a waiting session on <paramref name="computer"/> (request command <c>answer_session</c>).</summary>
    Task<CommandResult<SessionInfo>> AnswerAsync(string computer, string sessionId, string choice, CancellationToken cancellationToken);

    /// <summary>A page of a session's conversation on <paramref name="computer"/> (request command <c>get_session_messages</c>).</summary>
    Task<CommandResult<SessionMessages>> FetchMessagesAsync(string computer, string sessionId, string? since, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Follows a session's screen on <paramref name="computer"/>: the owner streams it on a bounded Redis stream while
    /// this daemon renews a lease; disposing the result stops it. See the README's wire table (<c>watch_output</c>).
    /// </summary>
    Task<CommandResult<IAsyncDisposable>> WatchOutputAsync(string computer, string sessionId, Func<SessionOutput, Task> onOutput, CancellationToken cancellationToken);
}

/// <summary>Local-only mode: there are no remote computers to pull from.</summary>
internal sealed class NoRemoteDataSource : IRemoteDataSource
{
    public Task<CommandResult<SessionInfo>> StartSessionAsync(string computer, CreateSessionRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<CommandResult<SessionInfo>>(Unreachable(computer));

    public Task<CommandResult<SessionInfo>> EndSessionAsync(string computer, string sessionId, CancellationToken cancellationToken) =>
        Task.FromResult<CommandResult<SessionInfo>>(Unreachable(computer));

    public Task<CommandResult<SessionInfo>> SendInputAsync(string computer, string sessionId, string text, CancellationToken cancellationToken) =>
        Task.FromResult<CommandResult<SessionInfo>>(Unreachable(computer));

    public Task<CommandResult<SessionInfo>> AnswerAsync(string computer, string sessionId, string choice, CancellationToken cancellationToken) =>
        Task.FromResult<CommandResult<SessionInfo>>(Unreachable(computer));

    public Task<CommandResult<SessionMessages>> FetchMessagesAsync(string computer, string sessionId, string? since, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<CommandResult<SessionMessages>>(Unreachable(computer));

    public Task<CommandResult<IAsyncDisposable>> WatchOutputAsync(string computer, string sessionId, Func<SessionOutput, Task> onOutput, CancellationToken cancellationToken) =>
        Task.FromResult<CommandResult<IAsyncDisposable>>(Unreachable(computer));

    private static CommandError Unreachable(string computer) =>
        new(CommandErrorKind.Unavailable, $"No Redis is configured: computer '{computer}' cannot be reached.");

    public Task<IReadOnlyList<SessionPatch>> FetchSessionsAsync(string computer, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"No Redis is configured: computer '{computer}' cannot be reached.");

    public Task<IReadOnlyList<ProjectInfo>> FetchProjectsAsync(string computer, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"No Redis is configured: computer '{computer}' cannot be reached.");

    public Task<IReadOnlyList<TodoInfo>> FetchTodosAsync(string computer, string projectPath, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"No Redis is configured: computer '{computer}' cannot be reached.");
}
