using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Agents;

/// <summary>Hooks as the source of status (exact), with the dialog on screen supplying a question's choices.</summary>
internal sealed partial class AgentStateTracker
{
    /// <summary>Applies one hook event of a session (already authenticated by the hook endpoint).</summary>
    public async Task<SessionInfo?> OnHookAsync(string sessionId, string integration, HookEvent hook, bool transcriptChanged, CancellationToken cancellationToken)
    {
        var live = LiveOf(sessionId);
        await live.Gate.WaitAsync(cancellationToken);
        HeldMessage? first = null;
        try
        {
            if (hook.Kind == HookEventKind.SessionStart)
            {
                first = TakeHeldMessage(live); // the agent is ready for the message it was started with
            }

            // Before the first hook, an active status can only come from the screen heuristic (the agent drew its start screen).
            var firstHook = !live.HooksSeen;
            if (AgentIntegrationKinds.ReportsEveryStep(integration))
            {
                live.HooksSeen = true;
                live.IdleTimer?.Dispose();
            }

            if (hook.Kind is not (HookEventKind.Notification or HookEventKind.Other))
            {
                live.Answered = null; // the agent moved on: whatever was answered was taken
            }

            if (live.Typed is not null && hook.Kind is HookEventKind.PromptSubmitted or HookEventKind.ToolUse or HookEventKind.PermissionRequest or HookEventKind.Stop)
            {
                ForgetTyped(live); // the agent took the input: no check of the screen follows
                counters.InputConfirmed();
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
            if (first is not null)
            {
                _ = SendHeldMessageAsync(sessionId, first.Text, afterStart: true);
            }
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
}
