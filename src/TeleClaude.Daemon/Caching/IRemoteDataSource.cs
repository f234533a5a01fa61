using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Caching;

/// <summary>Pulls data from another computer's daemon (request/response over Redis, see the transport).</summary>
internal interface IRemoteDataSource
{
    Task<IReadOnlyList<SessionInfo>> FetchSessionsAsync(string computer, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProjectInfo>> FetchProjectsAsync(string computer, CancellationToken cancellationToken);

    Task<IReadOnlyList<TodoInfo>> FetchTodosAsync(string computer, string projectPath, CancellationToken cancellationToken);
}

/// <summary>Local-only mode: there are no remote computers to pull from.</summary>
internal sealed class NoRemoteDataSource : IRemoteDataSource
{
    public Task<IReadOnlyList<SessionInfo>> FetchSessionsAsync(string computer, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"No Redis is configured: computer '{computer}' cannot be reached.");

    public Task<IReadOnlyList<ProjectInfo>> FetchProjectsAsync(string computer, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"No Redis is configured: computer '{computer}' cannot be reached.");

    public Task<IReadOnlyList<TodoInfo>> FetchTodosAsync(string computer, string projectPath, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"No Redis is configured: computer '{computer}' cannot be reached.");
}
