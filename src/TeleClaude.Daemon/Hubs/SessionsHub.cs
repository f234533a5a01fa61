using Microsoft.AspNetCore.SignalR;
using TeleClaude.Contracts;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Commands;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Sessions;

namespace TeleClaude.Daemon.Hubs;

/// <summary>
/// The TUI's push channel. Subscribing joins the view's group and sends the caller the full state;
/// from then on <see cref="HubPushService"/> pushes each change to the group.
/// </summary>
internal sealed partial class SessionsHub(
    DaemonCommands commands,
    InterestManager interest,
    RemoteWarmup warmup,
    IOptions<CacheOptions> cacheOptions,
    HubCounters counters,
    OutputWatcher watcher,
    RemoteOutputWatchers remoteWatchers,
    TimeProvider time,
    ILogger<SessionsHub> logger) : Hub<ISessionsClient>, ISessionsHub
{
    /// <summary>Every connection subscribed to at least one view: computer changes go here, once per connection.</summary>
    public const string AnyViewGroup = "any-view";

    public async Task Subscribe(string view)
    {
        EnsureKnown(view);

        // Join first, then read: a change that lands in between is both pushed and in the snapshot
        // (harmless), never in neither.
        await Groups.AddToGroupAsync(Context.ConnectionId, view, Context.ConnectionAborted);
        if (interest.Add(Context.ConnectionId, view))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, AnyViewGroup, Context.ConnectionAborted);
        }

        LogSubscribed(Context.ConnectionId, view);

        // The first subscriber of a view triggers pulls from the peers; give live peers a moment to answer so
        // the first full state is complete. A slow or dead peer is not waited for longer than SubscribeWait.
        try
        {
            await warmup.WhenWarmAsync(view).WaitAsync(cacheOptions.Value.SubscribeWait, Context.ConnectionAborted);
        }
        catch (TimeoutException)
        {
        }

        await SendFullStateAsync(view);
    }

    public async Task Unsubscribe(string view)
    {
        EnsureKnown(view);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, view, Context.ConnectionAborted);
        if (interest.Remove(Context.ConnectionId, view))
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, AnyViewGroup, Context.ConnectionAborted);
        }

        LogUnsubscribed(Context.ConnectionId, view);
    }

    public async Task Refresh(string view)
    {
        EnsureKnown(view);
        counters.Refreshed();
        await commands.RefreshAsync(view);
        await SendFullStateAsync(view);
    }

    public async Task Watch(string sessionId)
    {
        if (string.IsNullOrWhiteSpace(sessionId) || sessionId.Length > 64)
        {
            throw new HubException("Watch needs a session id, as the sessions view lists them.");
        }

        var found = await commands.GetSessionAsync(sessionId, Context.ConnectionAborted);
        if (found.Value is not { } session)
        {
            throw new HubException(found.Error!.Message);
        }

        if (session.Status == SessionStatus.Terminated)
        {
            throw new HubException($"Session '{sessionId}' has ended; there is no output to watch.");
        }

        if (session.Computer != commands.LocalComputer)
        {
            await WatchRemoteAsync(session);
            return;
        }

        // Join first, then capture: a change in between is pushed and is also in the first screen, never in neither.
        await Groups.AddToGroupAsync(Context.ConnectionId, OutputWatcher.WatchGroup(sessionId), Context.ConnectionAborted);
        watcher.AddWatcher(Context.ConnectionId, sessionId);
        var screen = await watcher.CaptureNowAsync(sessionId, Context.ConnectionAborted) ?? session.LastOutput ?? "";
        await Clients.Caller.SessionOutput(new SessionOutput(sessionId, session.Computer, screen, time.GetUtcNow()));
        LogWatching(Context.ConnectionId, sessionId);
    }

    public async Task Unwatch(string sessionId)
    {
        if (string.IsNullOrWhiteSpace(sessionId))
        {
            return;
        }

        watcher.RemoveWatcher(Context.ConnectionId, sessionId);
        remoteWatchers.Remove(Context.ConnectionId, sessionId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, OutputWatcher.WatchGroup(sessionId), Context.ConnectionAborted);
    }

    public Task<DaemonVersion> GetVersion() =>
        Task.FromResult(new DaemonVersion(CommandLine.BuildInfo.Version, ContractVersion.Current, commands.LocalComputer));

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        interest.RemoveConnection(Context.ConnectionId);
        watcher.RemoveWatcher(Context.ConnectionId);
        remoteWatchers.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>
    /// A session of another computer: its owner streams the screen over Redis while this daemon holds a lease, shared by
    /// every local client that watches it. The first screen follows as soon as the owner has written it.
    /// </summary>
    private async Task WatchRemoteAsync(SessionInfo session)
    {
        if (commands.ListComputers().FirstOrDefault(c => c.Name == session.Computer) is { Status: ComputerStatus.Offline })
        {
            throw new HubException($"Session '{session.SessionId}' runs on {session.Computer}, which is offline; its output cannot be watched now.");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, OutputWatcher.WatchGroup(session.SessionId), Context.ConnectionAborted);
        if (await remoteWatchers.AddAsync(Context.ConnectionId, session, Context.ConnectionAborted) is { } error)
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, OutputWatcher.WatchGroup(session.SessionId), Context.ConnectionAborted);
            throw new HubException($"Cannot watch session '{session.SessionId}' on {session.Computer}: {error.Message}");
        }
    }

    private async Task SendFullStateAsync(string view)
    {
        if (view == Views.Sessions)
        {
            await Clients.Caller.SessionsState(await commands.SessionsSnapshotAsync(Context.ConnectionAborted));
        }
        else
        {
            await Clients.Caller.PreparationState(await commands.PreparationSnapshotAsync(Context.ConnectionAborted));
        }

        counters.FullStateSent();
    }

    private static void EnsureKnown(string? view)
    {
        if (!Views.IsKnown(view))
        {
            throw new HubException($"Unknown view '{view}'. Known views: {string.Join(", ", Views.All)}.");
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Connection {ConnectionId} subscribed to {View}.")]
    private partial void LogSubscribed(string connectionId, string view);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Connection {ConnectionId} unsubscribed from {View}.")]
    private partial void LogUnsubscribed(string connectionId, string view);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "Connection {ConnectionId} watches session {SessionId}.")]
    private partial void LogWatching(string connectionId, string sessionId);
}
