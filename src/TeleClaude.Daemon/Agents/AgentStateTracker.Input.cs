using System.Text.RegularExpressions;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Agents;

/// <summary>
/// Input that reaches the agent. A new session's first message waits until the agent reports that it is ready (keys
/// typed while Claude Code starts are lost). A prompt typed into an idle agent whose hooks report every prompt is
/// followed by its prompt hook within moments; an Ink interface can swallow the Enter after the text (keys that arrive
/// together read as a paste; seen with Claude Code on a loaded machine), and the text then sits in the input box while
/// the session looks active for ever. When no hook came and the typed line is still at the bottom of the screen, Enter
/// is pressed again, at most <see cref="MaxSubmitPresses"/> times in all.
/// </summary>
internal sealed partial class AgentStateTracker
{
    /// <summary>How long a new session's message waits for its agent's start hook before it is typed anyway.</summary>
    public static readonly TimeSpan FirstMessageWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Holds the message a new session was started with until its agent is ready: the SessionStart hook of Claude Code
    /// or Gemini CLI, or for Codex (no start hook) its start screen drawn and then quiet (the session's first idle): keys
    /// typed while either starts are lost (seen with Codex 0.169: the text reached its input box, the Enter did not).
    /// False for other agents; their message is typed at once (a program that reads lines reads it when it gets there).
    /// </summary>
    public bool HoldFirstMessage(string sessionId, string agent, string message)
    {
        if (integrations.IntegrationOf(agent) is not (AgentIntegrationKinds.Claude or AgentIntegrationKinds.Codex or AgentIntegrationKinds.Gemini))
        {
            return false;
        }

        var timeout = time.CreateTimer(
            static state => { var (tracker, id) = ((AgentStateTracker, string))state!; _ = tracker.OnFirstMessageWaitOverAsync(id); },
            (this, sessionId), FirstMessageWait, Timeout.InfiniteTimeSpan);
        LiveOf(sessionId).Held = new HeldMessage(message, timeout);
        return true;
    }

    private static HeldMessage? TakeHeldMessage(Live live)
    {
        var held = live.Held;
        held?.Timeout.Dispose();
        live.Held = null;
        return held;
    }

    private async Task OnFirstMessageWaitOverAsync(string sessionId)
    {
        if (!_live.TryGetValue(sessionId, out var live))
        {
            return;
        }

        await live.Gate.WaitAsync();
        HeldMessage? held;
        try
        {
            held = TakeHeldMessage(live);
        }
        finally
        {
            live.Gate.Release();
        }

        if (held is not null)
        {
            await SendHeldMessageAsync(sessionId, held.Text, afterStart: false);
        }
    }

    /// <summary>Records the held message as the session's input (it works again), then types it.</summary>
    private async Task SendHeldMessageAsync(string sessionId, string text, bool afterStart)
    {
        try
        {
            if (afterStart)
            {
                await Task.Delay(DialogSettle, time); // an input box drawn a moment ago may not take keys yet
            }
            else
            {
                LogFirstMessageWithoutStart(sessionId, FirstMessageWait);
            }

            var live = LiveOf(sessionId);
            var wasIdle = false;
            var behindQuestion = false;
            SessionInfo? updated;
            await live.Gate.WaitAsync();
            try
            {
                var now = time.GetUtcNow();
                updated = await store.UpdateAsync(sessionId, s =>
                {
                    // Keys typed now would answer the question (its Enter picks the highlighted choice, e.g. "Trust folder").
                    behindQuestion = afterStart && live.LastScreen is { } screen && ScreenPrompts.Detect(screen, integrations.PromptsOf(s.Agent)) is not null;
                    wasIdle = s.Status == SessionStatus.Idle;
                    return s.Status == SessionStatus.Terminated || behindQuestion ? s : s with { Status = SessionStatus.Active, LastInput = text, LastActivity = now };
                }, CancellationToken.None);
                if (behindQuestion)
                {
                    live.HeldBehindQuestion = text;
                }
            }
            finally
            {
                live.Gate.Release();
            }

            if (behindQuestion)
            {
                LogFirstMessageBehindQuestion(sessionId);
                return;
            }

            if (updated is null || updated.Status == SessionStatus.Terminated)
            {
                return;
            }

            cache.PublishLocalSession(SessionEventNames.InputReceived, updated, text);
            if (wasIdle)
            {
                await ExpectPromptAsync(sessionId, text, CancellationToken.None);
            }

            if (!await tmux.SendAsync(sessionId, text, CancellationToken.None))
            {
                throw new InvalidOperationException("tmux could not type into the session's terminal.");
            }
        }
        catch (Exception ex)
        {
            LogFirstMessageFailed(sessionId, ex);
        }
    }

    /// <summary>How often Enter is pressed for one input at most, the first press included.</summary>
    public const int MaxSubmitPresses = 3;

    /// <summary>Lines at the bottom of the screen where an agent's input box is.</summary>
    private const int InputBoxLines = 8;

    /// <summary>
    /// The keys of <paramref name="text"/> (then Enter) are about to go to a session that was idle. For an agent whose
    /// hooks report prompts, its prompt hook is awaited from now on; see the type's summary.
    /// </summary>
    public async Task ExpectPromptAsync(string sessionId, string text, CancellationToken cancellationToken)
    {
        var line = Collapse(text.Split('\n').LastOrDefault(l => l.Trim().Length > 0) ?? "");
        if (line.Length == 0 || line.StartsWith('/') || !_live.TryGetValue(sessionId, out var live) || !live.HooksSeen)
        {
            return; // a slash command is not a prompt (no hook reports it), and without hooks nothing would confirm it
        }

        await live.Gate.WaitAsync(cancellationToken);
        try
        {
            ForgetTyped(live);
            live.Typed = ArmSubmitCheck(sessionId, line, presses: 1);
        }
        finally
        {
            live.Gate.Release();
        }
    }

    private TypedInput ArmSubmitCheck(string sessionId, string line, int presses) => new(line, presses, time.CreateTimer(
        static state => { var (tracker, id, typed, pressed) = ((AgentStateTracker, string, string, int))state!; _ = tracker.CheckSubmittedAsync(id, typed, pressed); },
        (this, sessionId, line, presses), _options.SubmitCheckAfter, Timeout.InfiniteTimeSpan));

    private async Task CheckSubmittedAsync(string sessionId, string line, int presses)
    {
        if (!_live.TryGetValue(sessionId, out var live))
        {
            return;
        }

        await live.Gate.WaitAsync();
        try
        {
            if (live.Typed is not { } typed || (typed.Line, typed.Presses) != (line, presses))
            {
                return; // a hook confirmed it, or newer input replaced it
            }

            ForgetTyped(live);
            var screen = await tmux.CaptureAsync(sessionId, InputBoxLines, CancellationToken.None);
            if (screen is null || !Collapse(screen).Contains(typed.Line, StringComparison.Ordinal) || !await tmux.SendKeyAsync(sessionId, "Enter", CancellationToken.None))
            {
                return;
            }

            counters.InputResubmitted();
            LogInputResubmitted(sessionId, typed.Presses + 1);
            if (typed.Presses + 1 < MaxSubmitPresses)
            {
                live.Typed = ArmSubmitCheck(sessionId, typed.Line, typed.Presses + 1);
            }
        }
        catch (Exception ex)
        {
            LogSubmitCheckFailed(sessionId, ex);
        }
        finally
        {
            live.Gate.Release();
        }
    }

    private static void ForgetTyped(Live live)
    {
        live.Typed?.Check.Dispose();
        live.Typed = null;
    }

    /// <summary>Text with every run of white space as one space: a line wrapped in an input box reads as typed.</summary>
    private static string Collapse(string text) => WhiteSpace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [LoggerMessage(EventId = 704, Level = LogLevel.Warning, Message = "Session {SessionId} did not take the input it was typed (no prompt hook, the text still in its input box): Enter pressed again ({Presses} presses).")]
    private partial void LogInputResubmitted(string sessionId, int presses);

    [LoggerMessage(EventId = 707, Level = LogLevel.Warning, Message = "Session {SessionId} reported no start within {Wait}: its first message is typed anyway.")]
    private partial void LogFirstMessageWithoutStart(string sessionId, TimeSpan wait);

    [LoggerMessage(EventId = 709, Level = LogLevel.Information, Message = "Session {SessionId} reported ready with a question on its screen: its first message waits until the question is answered.")]
    private partial void LogFirstMessageBehindQuestion(string sessionId);

    [LoggerMessage(EventId = 708, Level = LogLevel.Warning, Message = "Typing the first message of session {SessionId} failed.")]
    private partial void LogFirstMessageFailed(string sessionId, Exception exception);

    [LoggerMessage(EventId = 705, Level = LogLevel.Warning, Message = "Checking that session {SessionId} took its input failed.")]
    private partial void LogSubmitCheckFailed(string sessionId, Exception exception);
}
