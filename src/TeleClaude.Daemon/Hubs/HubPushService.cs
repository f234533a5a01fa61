using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Commands;
using TeleClaude.Daemon.Resilience;

namespace TeleClaude.Daemon.Hubs;

/// <summary>
/// Reads the cache's change feed and pushes each change to the view groups that show it. A group send only queues the
/// push in each client's bounded outbox (<see cref="PushLifetimeManager"/>), so this loop never waits on a client and has
/// nothing unawaited in flight. When the feed had to skip changes (<see cref="ChangesDropped"/>), every subscribed client
/// gets the full state instead. At shutdown, clients get <see cref="PushOptions.ShutdownDrainTimeout"/> to receive what
/// is queued for them.
/// </summary>
internal sealed partial class HubPushService(
    CacheChangeFeed changes,
    IHubContext<SessionsHub, ISessionsClient> hub,
    PushLifetimeManager pushes,
    DaemonCommands commands,
    InterestManager interest,
    HubCounters counters,
    IOptions<PushOptions> options,
    TimeProvider time,
    ILogger<HubPushService> logger) : BackgroundService
{
    private readonly System.Threading.Channels.ChannelReader<CacheChange> _reader = changes.Subscribe("hub push loop");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var change in _reader.ReadAllAsync(stoppingToken))
            {
                if (change is ChangesDropped dropped)
                {
                    await ResyncAsync(dropped, stoppingToken);
                    continue;
                }

                try
                {
                    await PushAsync(change);
                    counters.Pushed();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One change that cannot be pushed (it does not serialize) must not stop the ones after it.
                    counters.PushFailed();
                    LogPushFailed(change.GetType().Name, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            changes.Unsubscribe(_reader);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await pushes.DrainAsync(options.Value.ShutdownDrainTimeout);
    }

    private async Task ResyncAsync(ChangesDropped dropped, CancellationToken stoppingToken)
    {
        LogResync(dropped.Count, dropped.Since);
        // The snapshots read SQLite, which can fail for a while (a full disk, a lock): retried until they work.
        await Backoff.Forever("Resyncing hub clients with the full state", time, logger).ExecuteAsync(
            async token =>
            {
                if (interest.IsInterested(Views.Sessions))
                {
                    await hub.Clients.Group(Views.Sessions).SessionsState(await commands.SessionsSnapshotAsync(token));
                }

                if (interest.IsInterested(Views.Preparation))
                {
                    await hub.Clients.Group(Views.Preparation).PreparationState(await commands.PreparationSnapshotAsync(token));
                }
            },
            stoppingToken);
        counters.Resynced();
    }

    private Task PushAsync(CacheChange change)
    {
        var sessions = hub.Clients.Group(Views.Sessions);
        var preparation = hub.Clients.Group(Views.Preparation);
        return change switch
        {
            SessionChanged { EventName: SessionEventNames.NewSession } c => sessions.SessionCreated(c.Session),
            SessionChanged { EventName: SessionEventNames.SessionUpdated } c => sessions.SessionUpdated(c.Session),
            SessionChanged { EventName: SessionEventNames.SessionTerminated } c => sessions.SessionTerminated(c.Session),
            SessionChanged { EventName: SessionEventNames.AgentEvent } c => sessions.AgentEvent(new AgentEventInfo(c.Session, c.Detail ?? "")),
            SessionChanged { EventName: SessionEventNames.InputReceived } c => sessions.InputReceived(new InputReceivedInfo(c.Session, c.Detail ?? "")),
            ComputerChanged { Computer.Status: ComputerStatus.Offline } c => hub.Clients.Group(SessionsHub.AnyViewGroup).ComputerOffline(c.Computer),
            ComputerChanged c => hub.Clients.Group(SessionsHub.AnyViewGroup).ComputerUpdated(c.Computer),
            ProjectsChanged c => preparation.ProjectsUpdated(c.Update),
            TodosChanged c => preparation.TodosUpdated(c.Update),
            _ => throw new InvalidOperationException($"No push is defined for {change}."),
        };
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Pushing {Change} to clients failed; continuing with the next change.")]
    private partial void LogPushFailed(string change, Exception exception);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning,
        Message = "The push loop fell behind the change feed and skipped {Count} changes since {Since:O}; sending every subscribed client the full state instead.")]
    private partial void LogResync(long count, DateTimeOffset since);
}
