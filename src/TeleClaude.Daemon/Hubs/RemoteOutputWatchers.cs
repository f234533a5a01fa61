using Microsoft.AspNetCore.SignalR;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Commands;
using TeleClaude.Daemon.Sessions;

namespace TeleClaude.Daemon.Hubs;

/// <summary>
/// Hub clients of this daemon watching sessions of other computers. However many local clients watch one remote session,
/// it is watched once (<see cref="IRemoteDataSource.WatchOutputAsync"/>: one lease, one stream followed); each screen is
/// pushed to the session's <c>watch:{id}</c> group. The watch ends when the last local client leaves (<c>Unwatch</c> or
/// disconnect). A client that joins a running watch is sent the last screen at once; pushes of one session are sent
/// one at a time, so that screen can never arrive after a newer one.
/// </summary>
internal sealed partial class RemoteOutputWatchers(
    IRemoteDataSource remote,
    IHubContext<SessionsHub, ISessionsClient> hub,
    ILogger<RemoteOutputWatchers> logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Shared> _watches = new(StringComparer.Ordinal);

    /// <summary>Connections watching remote sessions now (for diagnostics and tests).</summary>
    public int WatcherCount
    {
        get
        {
            lock (_lock)
            {
                return _watches.Values.Sum(w => w.Connections.Count);
            }
        }
    }

    /// <summary>
    /// Adds <paramref name="connectionId"/> (already in the session's group) as a watcher of <paramref name="session"/>;
    /// null when it is watched, else the error that says why it cannot be.
    /// </summary>
    public async Task<CommandError?> AddAsync(string connectionId, SessionInfo session, CancellationToken cancellationToken)
    {
        Shared shared;
        bool first;
        lock (_lock)
        {
            first = !_watches.TryGetValue(session.SessionId, out var existing);
            shared = existing ?? new Shared(session.SessionId);
            shared.Connections.Add(connectionId);
            if (first)
            {
                _watches[session.SessionId] = shared;
                _stopping.Remove(session.SessionId, out var previous);
                shared.Started = StartAsync(shared, session.Computer, previous);
            }
        }

        var started = await shared.Started.WaitAsync(cancellationToken);
        if (started.Error is { } error)
        {
            lock (_lock)
            {
                shared.Connections.Remove(connectionId);
                if (_watches.GetValueOrDefault(session.SessionId) == shared)
                {
                    _watches.Remove(session.SessionId);
                }
            }

            return error;
        }

        if (!first)
        {
            await shared.Order.WaitAsync(cancellationToken);
            try
            {
                if (shared.Last is { } last)
                {
                    await hub.Clients.Client(connectionId).SessionOutput(last);
                }
            }
            finally
            {
                shared.Order.Release();
            }
        }

        LogWatching(connectionId, session.SessionId, session.Computer);
        return null;
    }

    /// <summary>Removes <paramref name="connectionId"/> from the watch of one session (or of all); the last one out ends it.</summary>
    public void Remove(string connectionId, string? sessionId = null)
    {
        var ending = new List<(Shared Shared, TaskCompletionSource Done)>();
        lock (_lock)
        {
            foreach (var shared in _watches.Values.Where(w => sessionId is null || w.SessionId == sessionId).ToArray())
            {
                if (shared.Connections.Remove(connectionId) && shared.Connections.Count == 0)
                {
                    _watches.Remove(shared.SessionId);
                    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _stopping[shared.SessionId] = done.Task;
                    ending.Add((shared, done));
                }
            }
        }

        foreach (var (shared, done) in ending)
        {
            _ = StopAsync(shared, done);
        }
    }

    // A watch that is ending is awaited before the same session is watched again: its registration on the screen stream
    // must be gone before a new one follows that stream.
    private readonly Dictionary<string, Task> _stopping = new(StringComparer.Ordinal);

    private async Task<CommandResult<IAsyncDisposable>> StartAsync(Shared shared, string computer, Task? previous)
    {
        try
        {
            if (previous is not null)
            {
                await previous;
            }

            // Not the first caller's token: other clients may join this start, and the data source bounds its own wait.
            var result = await remote.WatchOutputAsync(computer, shared.SessionId, output => PushAsync(shared, output), CancellationToken.None);
            if (result.Error is { } error)
            {
                LogWatchFailed(shared.SessionId, computer, error.Message);
            }

            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStartFailed(shared.SessionId, computer, ex);
            return new CommandError(CommandErrorKind.Unavailable, $"Watching session '{shared.SessionId}' of {computer} failed unexpectedly ({ex.Message}).");
        }
    }

    private async Task PushAsync(Shared shared, SessionOutput output)
    {
        await shared.Order.WaitAsync();
        try
        {
            shared.Last = output;
            await hub.Clients.Group(OutputWatcher.WatchGroup(shared.SessionId)).SessionOutput(output);
        }
        finally
        {
            shared.Order.Release();
        }
    }

    private async Task StopAsync(Shared shared, TaskCompletionSource done)
    {
        try
        {
            if ((await shared.Started).Value is { } watch)
            {
                await watch.DisposeAsync();
            }
        }
        catch (ObjectDisposedException)
        {
            // The daemon is stopping (SignalR ends every connection then): the owner's lease runs out by itself.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStopFailed(shared.SessionId, ex);
        }
        finally
        {
            done.TrySetResult();
            lock (_lock)
            {
                if (_stopping.GetValueOrDefault(shared.SessionId) == done.Task)
                {
                    _stopping.Remove(shared.SessionId);
                }
            }
        }
    }

    private sealed class Shared(string sessionId)
    {
        public string SessionId { get; } = sessionId;

        public HashSet<string> Connections { get; } = new(StringComparer.Ordinal);

        public Task<CommandResult<IAsyncDisposable>> Started { get; set; } = null!;

        /// <summary>One push of this session at a time (group pushes and the last screen for a joining client).</summary>
        public SemaphoreSlim Order { get; } = new(1, 1);

        public SessionOutput? Last { get; set; }
    }

    [LoggerMessage(EventId = 585, Level = LogLevel.Debug, Message = "Connection {ConnectionId} watches session {SessionId} of {Computer}.")]
    private partial void LogWatching(string connectionId, string sessionId, string computer);

    [LoggerMessage(EventId = 586, Level = LogLevel.Information, Message = "Watching session {SessionId} of {Computer} failed: {Reason}")]
    private partial void LogWatchFailed(string sessionId, string computer, string reason);

    [LoggerMessage(EventId = 588, Level = LogLevel.Error, Message = "Watching session {SessionId} of {Computer} failed unexpectedly.")]
    private partial void LogStartFailed(string sessionId, string computer, Exception exception);

    [LoggerMessage(EventId = 587, Level = LogLevel.Warning, Message = "Ending the watch of session {SessionId} failed.")]
    private partial void LogStopFailed(string sessionId, Exception exception);
}
