using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Sessions;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Agents;

/// <summary>
/// Turns what is known about a local session's agent into its status, and publishes each change (SQLite first,
/// then the cache's change feed, which reaches hub clients and interested peers). Two sources:
/// <list type="bullet">
/// <item>Hooks (exact): Claude Code's lifecycle events. Once a session's hooks have been heard, they drive its
/// status: PermissionRequest → waiting (the tool and its input as text), Stop → idle with the agent's last message,
/// SessionEnd → terminated. The screen then only supplies the dialog's choices, and notices a dialog answered in the
/// terminal (it was on screen and is gone).</item>
/// <item>The screen (heuristic, for agents without hooks and before the first hook): changed output → active; no
/// change for <see cref="SessionRunnerOptions.IdleAfter"/> → idle; a recognised prompt at the bottom → waiting.</item>
/// </list>
/// A terminal that goes away ends the session at once. Updates of one session are serialized.
/// </summary>
internal sealed partial class AgentStateTracker(
    SessionStore store,
    DaemonCache cache,
    AgentIntegrations integrations,
    AgentLauncher launcher,
    AgentCounters counters,
    TmuxRunner tmux,
    IOptions<SessionRunnerOptions> options,
    TimeProvider time,
    ILogger<AgentStateTracker> logger)
{
    private readonly ConcurrentDictionary<string, Live> _live = new(StringComparer.Ordinal);
    private readonly SessionRunnerOptions _options = options.Value;

    /// <summary>
    /// Raised with a session id when the tracker needs that session's screen again even if it has not changed: a
    /// permission hook can arrive after its dialog was drawn (and captured), and the dialog then stays still.
    /// </summary>
    public event Action<string>? ScreenWanted;

    /// <summary>How long after pressing an answer's key the question may still be on screen before it counts as not taken.</summary>
    public static readonly TimeSpan AnswerCheckAfter = TimeSpan.FromSeconds(1.5);

    /// <summary>How long a question must have been on screen before its answer's key is pressed.</summary>
    public static readonly TimeSpan DialogSettle = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// How long to wait before pressing an answer's key: a TUI dialog drawn a moment ago may not take keys yet, so a
    /// key is pressed only once the question has been on screen for <see cref="DialogSettle"/>.
    /// </summary>
    public TimeSpan KeyDelay(string sessionId) =>
        _live.TryGetValue(sessionId, out var live) && live.PromptSeenAt is { } seen && DialogSettle - (time.GetUtcNow() - seen) is { Ticks: > 0 } wait
            ? wait
            : TimeSpan.Zero;

    /// <summary>True while the session waits for the user: its screen is followed closely (the dialog's choices, its answer).</summary>
    public bool WantsFastScreen(string sessionId) => _live.TryGetValue(sessionId, out var live) && live.Waiting;

    /// <summary>The session's terminal is gone (the agent exited, or tmux lost it): it is terminated, at once.</summary>
    public async Task OnTerminalGoneAsync(string sessionId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var changed = false;
        var updated = await store.UpdateAsync(sessionId, s =>
        {
            changed = s.Status != SessionStatus.Terminated;
            return changed ? s with { Status = SessionStatus.Terminated, Waiting = null, LastActivity = now } : s;
        }, cancellationToken);
        if (updated is not null && changed)
        {
            cache.PublishLocalSession(SessionEventNames.SessionTerminated, updated);
        }

        Forget(sessionId);
    }

    /// <summary>The user answered the session's question through the daemon: it works again.</summary>
    public async Task<SessionInfo?> OnAnsweredAsync(string sessionId, AnswerChoice choice, CancellationToken cancellationToken)
    {
        var live = LiveOf(sessionId);
        await live.Gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var changed = false;
            WaitingInfo? asked = null;
            var updated = await store.UpdateAsync(sessionId, s =>
            {
                changed = s.Status == SessionStatus.Waiting;
                asked = s.Waiting;
                return changed ? s with { Status = SessionStatus.Active, Waiting = null, LastActivity = now, LastInput = $"{choice.Key} ({choice.Label})" } : s;
            }, cancellationToken);
            var prompt = live.LastScreen is { } screen ? ScreenPrompts.Detect(screen, integrations.PromptsOf(updated?.Agent)) : null;
            live.Answered = asked is not null && prompt is not null ? new Answer(asked, prompt.Text, now) : null;
            live.PromptSeen = false;
            live.Waiting = false;
            if (live.Answered is not null)
            {
                // A still dialog sends no output: look at the screen again once the agent has had time to act.
                live.AnswerCheck?.Dispose();
                live.AnswerCheck = time.CreateTimer(
                    static state => { var (tracker, id) = ((AgentStateTracker, string))state!; tracker.ScreenWanted?.Invoke(id); },
                    (this, sessionId), AnswerCheckAfter + TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);
            }

            if (updated is not null && changed)
            {
                cache.PublishLocalSession(SessionEventNames.SessionUpdated, updated);
            }

            return updated;
        }
        finally
        {
            live.Gate.Release();
        }
    }

    private void Forget(string sessionId)
    {
        if (_live.TryRemove(sessionId, out var live))
        {
            live.IdleTimer?.Dispose();
            live.AnswerCheck?.Dispose();
            live.OutputFlush?.Dispose();
            live.Typed?.Check.Dispose();
            live.Held?.Timeout.Dispose();
        }

        launcher.Forget(sessionId);
    }

    private Live LiveOf(string sessionId) => _live.GetOrAdd(sessionId, static _ => new Live());

    [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "Session {SessionId} still shows the question it was answered: the agent did not take the key; it waits again.")]
    private partial void LogAnswerNotTaken(string sessionId);

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "Marking session {SessionId} idle failed.")]
    private partial void LogIdleFailed(string sessionId, Exception exception);

    [LoggerMessage(EventId = 706, Level = LogLevel.Warning, Message = "Recording the newest output of session {SessionId} failed.")]
    private partial void LogOutputFlushFailed(string sessionId, Exception exception);
}
