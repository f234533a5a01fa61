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

    /// <summary>Applies a new screen of a session; false when no such local session is recorded (yet).</summary>
    public async Task<bool> OnScreenAsync(string sessionId, string screen, CancellationToken cancellationToken)
    {
        var live = LiveOf(sessionId);
        await live.Gate.WaitAsync(cancellationToken);
        try
        {
            live.LastScreen = screen;
            var lastOutput = Tail(screen, _options.OutputLines);
            var outputChanged = false;
            var changed = false;
            var hooksDrive = false;
            var notTaken = false;
            var now = time.GetUtcNow();
            var updated = await store.UpdateAsync(sessionId, s =>
            {
                if (s.Status == SessionStatus.Terminated)
                {
                    return s;
                }

                hooksDrive = live.HooksSeen && integrations.IntegrationOf(s.Agent) == AgentIntegrationKinds.Claude;
                var next = s;
                outputChanged = lastOutput != (s.LastOutput ?? "");
                if (outputChanged)
                {
                    next = next with { LastOutput = lastOutput, LastActivity = now };
                }

                var prompt = ScreenPrompts.Detect(screen, integrations.PromptsOf(s.Agent));
                if (live.Answered is { } answered && s.Status == SessionStatus.Active)
                {
                    if (prompt is null)
                    {
                        live.Answered = null; // the question is gone: the agent took the answer
                    }
                    else if (now - answered.At >= AnswerCheckAfter && prompt.Text == answered.Prompt)
                    {
                        // The same question is still on screen well after the key was pressed: the agent did not
                        // take it (seen with Claude Code under load). Say so, rather than show a working agent.
                        live.Answered = null;
                        notTaken = true;
                        changed = true;
                        return next with { Status = SessionStatus.Waiting, Waiting = answered.Waiting with { Choices = prompt.Choices.Count > 0 ? prompt.Choices : answered.Waiting.Choices } };
                    }
                }

                if (hooksDrive)
                {
                    if (s is { Status: SessionStatus.Waiting, Waiting: { } waiting })
                    {
                        if (prompt is not null)
                        {
                            live.SeePrompt(now);
                            if (prompt.Choices.Count > 0 && !prompt.Choices.SequenceEqual(waiting.Choices))
                            {
                                next = next with { Waiting = waiting with { Choices = prompt.Choices } };
                            }
                        }
                        else if (live.PromptSeen)
                        {
                            // The dialog was on screen and is gone: answered in the terminal.
                            next = next with { Status = SessionStatus.Active, Waiting = null };
                        }
                    }
                }
                else if (prompt is not null)
                {
                    live.SeePrompt(now);
                    if (s.Status != SessionStatus.Waiting || s.Waiting?.Text != prompt.Text || !prompt.Choices.SequenceEqual(s.Waiting.Choices))
                    {
                        var since = s is { Status: SessionStatus.Waiting, Waiting: { } w } ? w.Since : now;
                        next = next with { Status = SessionStatus.Waiting, Waiting = new WaitingInfo(WaitingKinds.Question, prompt.Text, since, prompt.Choices) };
                    }
                }
                else if ((s.Status == SessionStatus.Waiting && live.PromptSeen)
                    || (outputChanged && s.Status != SessionStatus.Active && (s.LastOutput is not null || s.Status == SessionStatus.Starting)))
                {
                    // The prompt it showed is gone, or it printed something: it works. A status someone set before
                    // the first screen (PATCH, a hook) is not overruled by that screen, nor a waiting set by PATCH
                    // while nothing changes.
                    next = next with { Status = SessionStatus.Active, Waiting = null };
                }

                changed = !ReferenceEquals(next, s);
                return next;
            }, cancellationToken);

            if (updated is null)
            {
                return false;
            }

            live.Waiting = updated.Status == SessionStatus.Waiting;
            if (changed)
            {
                cache.PublishLocalSession(SessionEventNames.SessionUpdated, updated);
            }

            if (notTaken)
            {
                counters.AnswerNotTaken();
                LogAnswerNotTaken(sessionId);
            }

            if (!hooksDrive && outputChanged && updated.Status == SessionStatus.Active)
            {
                RestartIdleTimer(sessionId, live);
            }

            return true;
        }
        finally
        {
            live.Gate.Release();
        }
    }

    /// <summary>Applies one hook event of a session (already authenticated by the hook endpoint).</summary>
    public async Task<SessionInfo?> OnHookAsync(string sessionId, string integration, HookEvent hook, bool transcriptChanged, CancellationToken cancellationToken)
    {
        var live = LiveOf(sessionId);
        await live.Gate.WaitAsync(cancellationToken);
        try
        {
            // Before the first hook, an active status can only come from the screen heuristic (the agent drew its start screen).
            var firstHook = !live.HooksSeen;
            if (integration == AgentIntegrationKinds.Claude)
            {
                live.HooksSeen = true;
                live.IdleTimer?.Dispose();
            }

            if (hook.Kind is not (HookEventKind.Notification or HookEventKind.Other))
            {
                live.Answered = null; // the agent moved on: whatever was answered was taken
            }

            var now = time.GetUtcNow();
            string? eventName = null;
            string? detail = null;
            var updated = await store.UpdateAsync(sessionId, s =>
            {
                if (s.Status == SessionStatus.Terminated)
                {
                    return s;
                }

                var next = Apply(s, hook, now, live, firstHook);
                if (next is { Status: SessionStatus.Waiting, Waiting: { Choices.Count: 0 } asked } && DialogOnScreen(live, next.Agent, hook) is { } shown)
                {
                    // The dialog was drawn (and captured) before its hook arrived: its choices are already known.
                    live.SeePrompt(now);
                    next = next with { Waiting = asked with { Choices = shown.Choices } };
                }

                if (!ReferenceEquals(next, s) || transcriptChanged)
                {
                    (eventName, detail) = hook.Kind switch
                    {
                        HookEventKind.Stop => (SessionEventNames.AgentEvent, hook.Text ?? s.LastOutput ?? ""),
                        HookEventKind.SessionEnd when next.Status == SessionStatus.Terminated => (SessionEventNames.SessionTerminated, null),
                        _ => (SessionEventNames.SessionUpdated, (string?)null),
                    };
                }

                return next;
            }, cancellationToken);

            if (updated is not null)
            {
                live.Waiting = updated.Status == SessionStatus.Waiting;
                if (eventName is not null)
                {
                    cache.PublishLocalSession(eventName, updated, detail);
                }

                if (updated is { Status: SessionStatus.Waiting, Waiting.Choices.Count: 0 })
                {
                    ScreenWanted?.Invoke(sessionId);
                }

                if (updated.Status == SessionStatus.Terminated)
                {
                    Forget(sessionId);
                }
            }

            return updated;
        }
        finally
        {
            live.Gate.Release();
        }
    }

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

    /// <summary>The dialog on the last captured screen, when it asks about what <paramref name="hook"/> names.</summary>
    private ScreenPrompt? DialogOnScreen(Live live, string? agent, HookEvent hook)
    {
        if (live.LastScreen is not { } screen || ScreenPrompts.Detect(screen, integrations.PromptsOf(agent)) is not { Choices.Count: > 0 } prompt)
        {
            return null;
        }

        return hook.Subject is null || screen.Contains(hook.Subject, StringComparison.Ordinal) ? prompt : null;
    }

    private static SessionInfo Apply(SessionInfo s, HookEvent hook, DateTimeOffset now, Live live, bool firstHook)
    {
        switch (hook.Kind)
        {
            case HookEventKind.SessionStart:
                // Also when the start screen was captured before this hook arrived (a loaded machine) and made the session
                // active: nobody has typed anything, so the agent is ready and idle, not working.
                return s.Status == SessionStatus.Starting || (firstHook && s.Status == SessionStatus.Active && s.LastInput is null)
                    ? s with { Status = SessionStatus.Idle, LastActivity = now }
                    : s;
            case HookEventKind.PromptSubmitted:
                return s with { Status = SessionStatus.Active, Waiting = null, LastInput = hook.Prompt ?? s.LastInput, LastActivity = now };
            case HookEventKind.ToolUse:
                return s.Status == SessionStatus.Active ? s : s with { Status = SessionStatus.Active, Waiting = null, LastActivity = now };
            case HookEventKind.PermissionRequest:
                live.PromptSeen = false;
                // No choices yet: the dialog is drawn after the hook, and its options differ by tool; they are read
                // from the screen as soon as it shows them (guessing a key could pick "switch to auto mode").
                return s with { Status = SessionStatus.Waiting, Waiting = new WaitingInfo(WaitingKinds.Permission, hook.Text ?? "Permission requested", now, []), LastActivity = now };
            case HookEventKind.Notification when hook.NotificationType == "permission_prompt" && s.Status != SessionStatus.Waiting:
                live.PromptSeen = false;
                return s with { Status = SessionStatus.Waiting, Waiting = new WaitingInfo(WaitingKinds.Permission, hook.Text ?? "Permission requested", now, []), LastActivity = now };
            case HookEventKind.Stop:
                return s with { Status = SessionStatus.Idle, Waiting = null, LastMessage = hook.Text ?? s.LastMessage, LastActivity = now };
            case HookEventKind.SessionEnd when hook.Reason != "clear":
                return s with { Status = SessionStatus.Terminated, Waiting = null, LastActivity = now };
            default:
                return s;
        }
    }

    private void RestartIdleTimer(string sessionId, Live live)
    {
        live.IdleTimer?.Dispose();
        live.IdleTimer = time.CreateTimer(
            static state => { var (tracker, id) = ((AgentStateTracker, string))state!; _ = tracker.IdleAsync(id); },
            (this, sessionId), _options.IdleAfter, Timeout.InfiniteTimeSpan);
    }

    private async Task IdleAsync(string sessionId)
    {
        try
        {
            var live = LiveOf(sessionId);
            await live.Gate.WaitAsync();
            try
            {
                var changed = false;
                var updated = await store.UpdateAsync(sessionId, s =>
                {
                    changed = s.Status == SessionStatus.Active && !(live.HooksSeen && integrations.IntegrationOf(s.Agent) == AgentIntegrationKinds.Claude);
                    return changed ? s with { Status = SessionStatus.Idle } : s;
                }, CancellationToken.None);
                if (updated is not null && changed)
                {
                    cache.PublishLocalSession(SessionEventNames.AgentEvent, updated, updated.LastOutput ?? "");
                }
            }
            finally
            {
                live.Gate.Release();
            }
        }
        catch (Exception ex)
        {
            LogIdleFailed(sessionId, ex);
        }
    }

    private void Forget(string sessionId)
    {
        if (_live.TryRemove(sessionId, out var live))
        {
            live.IdleTimer?.Dispose();
            live.AnswerCheck?.Dispose();
        }

        launcher.Forget(sessionId);
    }

    private Live LiveOf(string sessionId) => _live.GetOrAdd(sessionId, static _ => new Live());

    private static string Tail(string screen, int lines) => string.Join('\n', screen.Split('\n').TakeLast(lines)).TrimEnd();

    /// <summary>An answer sent: what was asked, the question as the screen showed it, and when.</summary>
    private sealed record Answer(WaitingInfo Waiting, string Prompt, DateTimeOffset At);

    /// <summary>What the daemon knows of a session beyond its record (not persisted: re-learnt from the next hook or screen).</summary>
    private sealed class Live
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public bool HooksSeen { get; set; }

        public bool PromptSeen { get; set; }

        /// <summary>When the current question was first seen on screen.</summary>
        public DateTimeOffset? PromptSeenAt { get; set; }

        /// <summary>An answer sent and not yet confirmed by the screen or a hook.</summary>
        public Answer? Answered { get; set; }

        public ITimer? AnswerCheck { get; set; }

        public void SeePrompt(DateTimeOffset now)
        {
            if (!PromptSeen)
            {
                PromptSeenAt = now;
            }

            PromptSeen = true;
        }

        public bool Waiting { get; set; }

        public string? LastScreen { get; set; }

        public ITimer? IdleTimer { get; set; }
    }

    [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "Session {SessionId} still shows the question it was answered: the agent did not take the key; it waits again.")]
    private partial void LogAnswerNotTaken(string sessionId);

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "Marking session {SessionId} idle failed.")]
    private partial void LogIdleFailed(string sessionId, Exception exception);
}
