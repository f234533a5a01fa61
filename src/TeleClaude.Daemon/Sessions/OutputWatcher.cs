using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Agents;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Hubs;
using TeleClaude.Daemon.Resilience;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Sessions;

/// <summary>
/// Follows every session's terminal with ONE tmux control-mode client, without polling. Each session's window is
/// linked into the watch session the client is attached to, so tmux tells it about output in any of them
/// (<c>%output</c>), about windows that close (<c>%window-close</c>: the agent exited) and about sessions that come
/// and go (<c>%sessions-changed</c>). A pane is captured (through the same client: no process per capture) only
/// after it changed, debounced and paced: every <see cref="SessionRunnerOptions.WatchInterval"/> while someone
/// watches it or it waits for the user, every <see cref="SessionRunnerOptions.OutputInterval"/> otherwise. The
/// captured screen goes to the state tracker (last_output, screen-based status) and to the session's watchers.
/// A client that dies is started again with backoff, and a re-sync (link, reconcile, capture every pane) follows
/// every start, so nothing that matters is missed while it was away.
/// </summary>
internal sealed partial class OutputWatcher(
    TmuxRunner tmux,
    SessionStore store,
    AgentStateTracker tracker,
    IHubContext<SessionsHub, ISessionsClient> hub,
    AgentCounters counters,
    IOptions<SessionRunnerOptions> options,
    IOptions<DaemonOptions> daemon,
    TimeProvider time,
    ILogger<OutputWatcher> logger) : BackgroundService
{
    private const string PlaceholderWindow = "_watch";

    /// <summary>How often, at most, a capture is retried for a pane whose session is not recorded yet.</summary>
    private const int UnrecordedRetries = 40;

    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, Pane> _byPane = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pane> _byWindow = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pane> _bySession = new(StringComparer.Ordinal);
    private readonly ScreenAudience _audience = new(hub, counters, logger);
    private readonly SessionRunnerOptions _options = options.Value;
    private TmuxControlClient? _client;
    private bool _resyncQueued;

    private bool _subscribed;

    /// <summary>The SignalR group of a session's watchers.</summary>
    public static string WatchGroup(string sessionId) => "watch:" + sessionId;

    /// <summary>True while a control client is attached and following the panes.</summary>
    public bool Connected => _client is { Completion.IsCompleted: false };

    /// <summary>Registers <paramref name="connectionId"/> as a watcher of <paramref name="sessionId"/>.</summary>
    public void AddWatcher(string connectionId, string sessionId) => _audience.AddWatcher(connectionId, sessionId);

    /// <summary>Removes a watcher; returns the sessions <paramref name="connectionId"/> no longer watches.</summary>
    public IReadOnlyList<string> RemoveWatcher(string connectionId, string? sessionId = null) => _audience.RemoveWatcher(connectionId, sessionId);

    /// <summary>
    /// Hands every screen captured of <paramref name="sessionId"/> to <paramref name="onScreen"/> (changed or not: the
    /// listener compares), on the watcher's own loop, in capture order, until the result is disposed; meanwhile the pane
    /// is captured at the watch pace. For watchers that are not hub clients here (another computer's, over Redis).
    /// <paramref name="onScreen"/> must return at once.
    /// </summary>
    public IDisposable ListenToScreens(string sessionId, Action<SessionOutput> onScreen) => _audience.Listen(sessionId, onScreen);

    /// <summary>Captures the session's pane soon (debounced and paced as any change), so its listeners get the current screen.</summary>
    public void CaptureSoon(string sessionId) => _work.Writer.TryWrite(new CaptureWanted(sessionId));

    /// <summary>
    /// The session's screen now (captured through the control client, so it is ordered with the pushes that follow);
    /// null when its terminal is gone.
    /// </summary>
    public async Task<string?> CaptureNowAsync(string sessionId, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Connected && _work.Writer.TryWrite(new CaptureRequest(sessionId, reply)))
        {
            return await reply.Task.WaitAsync(cancellationToken);
        }

        return await tmux.CaptureAsync(sessionId, _options.OutputLines, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_subscribed)
        {
            _subscribed = true;
            tracker.ScreenWanted += sessionId => _work.Writer.TryWrite(new ScreenWanted(sessionId));
        }

        var pipeline = Backoff.Forever("Following tmux in control mode", time, logger, _ => counters.ControlClientFailed());
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await pipeline.ExecuteAsync(FollowAsync, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Creates the watch session (and so the tmux server) before the daemon takes requests: two tmux clients that both
    /// find no server and start one at once (the watcher and the first POST /sessions) can fail with "server exited
    /// unexpectedly". A failure here is only logged; following retries it with backoff.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await tmux.EnsureWatchSessionAsync(cancellationToken);
        }
        catch (SessionRunnerException ex)
        {
            LogCaptureFailed(ex.Message);
        }

        await base.StartAsync(cancellationToken);
    }

    /// <summary>Stops following; a watch session left with no session to follow is removed, so no idle tmux server lingers.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            if ((await tmux.AliveAsync(cancellationToken)).Count == 0)
            {
                await tmux.KillWatchSessionAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is SessionRunnerException or OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 612, Level = LogLevel.Information, Message = "Following the sessions of tmux server '{Socket}' through one control-mode client.")]
    private partial void LogFollowing(string socket);

    [LoggerMessage(EventId = 611, Level = LogLevel.Information, Message = "Session {SessionId} has no tmux session any more; marked terminated.")]
    private partial void LogReconciled(string sessionId);

    [LoggerMessage(EventId = 613, Level = LogLevel.Debug, Message = "Capturing a pane failed: {Reason}")]
    private partial void LogCaptureFailed(string reason);
}
