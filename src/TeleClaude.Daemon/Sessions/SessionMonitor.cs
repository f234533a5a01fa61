using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Sessions;

/// <summary>
/// Keeps local session records true to their tmux sessions: on start, sessions whose tmux session is gone
/// are marked terminated (with an event); then every poll interval each live pane is captured, and a change
/// of output makes the session active (session_updated), no change for IdleAfter makes it idle (agent_event
/// with the last output as summary), and a vanished pane terminates it. Nothing changed, nothing sent.
/// </summary>
internal sealed partial class SessionMonitor(
    TmuxRunner tmux,
    SessionStore store,
    DaemonCache cache,
    IOptions<SessionRunnerOptions> options,
    TimeProvider time,
    ILogger<SessionMonitor> logger) : BackgroundService
{
    private readonly Dictionary<string, DateTimeOffset> _lastChange = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        try
        {
            await ReconcileAsync(stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await PollAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPollFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Marks sessions whose tmux session no longer exists as terminated.</summary>
    internal async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        IReadOnlySet<string> alive;
        try
        {
            alive = await tmux.AliveAsync(cancellationToken);
        }
        catch (SessionRunnerException ex)
        {
            LogPollFailed(ex);
            return;
        }

        foreach (var session in await store.ListAsync(includeTerminated: false, cancellationToken))
        {
            if (!alive.Contains(session.SessionId))
            {
                await TerminateAsync(session.SessionId, cancellationToken);
                LogReconciled(session.SessionId);
            }
        }
    }

    internal async Task PollAsync(CancellationToken cancellationToken)
    {
        var live = await store.ListAsync(includeTerminated: false, cancellationToken);
        foreach (var id in _lastChange.Keys.Except(live.Select(s => s.SessionId)).ToArray())
        {
            _lastChange.Remove(id);
        }

        foreach (var session in live)
        {
            var output = await tmux.CaptureAsync(session.SessionId, options.Value.OutputLines, cancellationToken);
            var now = time.GetUtcNow();
            if (output is null)
            {
                await TerminateAsync(session.SessionId, cancellationToken);
            }
            else if (output != (session.LastOutput ?? ""))
            {
                _lastChange[session.SessionId] = now;
                await ChangeAsync(session.SessionId, SessionEventNames.SessionUpdated, null, s => s with
                {
                    LastOutput = output,
                    Status = SessionStatus.Active,
                    LastActivity = now,
                }, cancellationToken);
            }
            else if (session.Status == SessionStatus.Active
                && now - _lastChange.GetValueOrDefault(session.SessionId, session.LastActivity ?? now) >= options.Value.IdleAfter)
            {
                await ChangeAsync(session.SessionId, SessionEventNames.AgentEvent, output, s => s with { Status = SessionStatus.Idle }, cancellationToken);
            }
        }
    }

    private async Task ChangeAsync(string sessionId, string eventName, string? detail, Func<SessionInfo, SessionInfo> change, CancellationToken cancellationToken)
    {
        var changed = false;
        var updated = await store.UpdateAsync(sessionId, s =>
        {
            if (s.Status == SessionStatus.Terminated)
            {
                return s;
            }

            changed = true;
            return change(s);
        }, cancellationToken);
        if (updated is not null && changed)
        {
            cache.PublishLocalSession(eventName, updated, detail);
        }
    }

    private async Task TerminateAsync(string sessionId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await ChangeAsync(sessionId, SessionEventNames.SessionTerminated, null, s => s with { Status = SessionStatus.Terminated, LastActivity = now }, cancellationToken);
    }

    [LoggerMessage(EventId = 610, Level = LogLevel.Warning, Message = "Polling tmux sessions failed; retrying next interval.")]
    private partial void LogPollFailed(Exception exception);

    [LoggerMessage(EventId = 611, Level = LogLevel.Information, Message = "Session {SessionId} has no tmux session any more; marked terminated.")]
    private partial void LogReconciled(string sessionId);
}
