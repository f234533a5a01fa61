using Microsoft.AspNetCore.SignalR;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;

namespace TeleClaude.Daemon.Hubs;

/// <summary>Reads the cache's change feed and pushes each change to the view groups that show it.</summary>
internal sealed partial class HubPushService(
    CacheChangeFeed changes,
    IHubContext<SessionsHub, ISessionsClient> hub,
    HubCounters counters,
    ILogger<HubPushService> logger) : BackgroundService
{
    private readonly System.Threading.Channels.ChannelReader<CacheChange> _reader = changes.Subscribe();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var change in _reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    // Group sends are not awaited one after the other: a client that stops reading would hold up
                    // everyone else. Each connection's writes still go out in order, queued behind its own write
                    // lock; a stalled connection is closed by SignalR when its client timeout passes.
                    counters.PushStarted();
                    _ = PushAsync(change).ContinueWith(OnPushed, change, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    counters.PushFinished(faulted: true);
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

    private void OnPushed(Task push, object? change)
    {
        counters.PushFinished(push.IsFaulted);
        if (push.Exception is { } ex)
        {
            LogPushFailed(change!.GetType().Name, ex.InnerException ?? ex);
        }
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
}
