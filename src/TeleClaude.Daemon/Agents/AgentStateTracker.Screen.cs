using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Agents;

/// <summary>The screen as a source of status (heuristic): changed output, a recognised prompt, no change for a while.</summary>
internal sealed partial class AgentStateTracker
{
    /// <summary>Applies a new screen of a session; false when no such local session is recorded (yet).</summary>
    public Task<bool> OnScreenAsync(string sessionId, string screen, CancellationToken cancellationToken) =>
        OnScreenAsync(sessionId, screen, trailing: false, cancellationToken);

    /// <summary>
    /// Applies a screen. A change of the output alone (no status, question or choices changed) is recorded and published
    /// at most once per <see cref="Sessions.SessionRunnerOptions.OutputInterval"/>, the pace of unwatched sessions: a watched pane
    /// is captured every <see cref="Sessions.SessionRunnerOptions.WatchInterval"/> for its watchers, and without this each capture
    /// would be a SQLite write and a <c>session_updated</c> to every client and interested peer. The newest output
    /// follows when the interval is over (<paramref name="trailing"/>, with no <paramref name="screen"/>: the newest one
    /// is taken inside the gate, as a screen read before it could be older than one applied meanwhile, and applying
    /// it would undo what that one showed, e.g. a question), so the last word is never lost.
    /// </summary>
    private async Task<bool> OnScreenAsync(string sessionId, string? screen, bool trailing, CancellationToken cancellationToken)
    {
        var live = LiveOf(sessionId);
        await live.Gate.WaitAsync(cancellationToken);
        try
        {
            screen ??= live.LastScreen;
            if (screen is null)
            {
                return true;
            }

            live.LastScreen = screen;
            var deferred = false;
            var lastOutput = Tail(screen, _options.OutputLines);
            var outputChanged = false;
            var changed = false;
            var hooksDrive = false;
            var notTaken = false;
            var questionOnScreen = false;
            var now = time.GetUtcNow();
            var updated = await store.UpdateAsync(sessionId, s =>
            {
                if (s.Status == SessionStatus.Terminated)
                {
                    return s;
                }

                hooksDrive = live.HooksSeen && AgentIntegrationKinds.ReportsEveryStep(integrations.IntegrationOf(s.Agent));
                var next = s;
                outputChanged = lastOutput != (s.LastOutput ?? "");
                if (outputChanged)
                {
                    next = next with { LastOutput = lastOutput, LastActivity = now };
                }

                var prompt = ScreenPrompts.Detect(screen, integrations.PromptsOf(s.Agent));
                questionOnScreen = prompt is not null;
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

                if (outputChanged && next == s with { LastOutput = next.LastOutput, LastActivity = next.LastActivity }
                    && now - live.OutputPublishedAt < _options.OutputInterval)
                {
                    deferred = true;
                    return s;
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
                live.OutputPublishedAt = now;
                cache.PublishLocalSession(SessionEventNames.SessionUpdated, updated);
            }

            if (deferred)
            {
                FlushOutputLater(sessionId, live, live.OutputPublishedAt + _options.OutputInterval - now);
            }

            if (notTaken)
            {
                counters.AnswerNotTaken();
                LogAnswerNotTaken(sessionId);
            }

            if (!trailing && !hooksDrive && outputChanged && updated.Status == SessionStatus.Active)
            {
                RestartIdleTimer(sessionId, live);
            }

            if (live.HeldBehindQuestion is { } held && !questionOnScreen && updated.Status != SessionStatus.Terminated)
            {
                live.HeldBehindQuestion = null;
                _ = SendHeldMessageAsync(sessionId, held, afterStart: true); // waits a moment, then takes the gate itself
            }

            return true;
        }
        finally
        {
            live.Gate.Release();
        }
    }

    private void FlushOutputLater(string sessionId, Live live, TimeSpan delay)
    {
        live.OutputFlush ??= time.CreateTimer(
            static state => { var (tracker, id) = ((AgentStateTracker, string))state!; _ = tracker.FlushOutputAsync(id); },
            (this, sessionId), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        live.OutputFlush.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private async Task FlushOutputAsync(string sessionId)
    {
        try
        {
            if (_live.ContainsKey(sessionId))
            {
                await OnScreenAsync(sessionId, screen: null, trailing: true, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            LogOutputFlushFailed(sessionId, ex);
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
            HeldMessage? first = null;
            await live.Gate.WaitAsync();
            try
            {
                var changed = false;
                var updated = await store.UpdateAsync(sessionId, s =>
                {
                    changed = s.Status == SessionStatus.Active && !(live.HooksSeen && AgentIntegrationKinds.ReportsEveryStep(integrations.IntegrationOf(s.Agent)));
                    return changed ? s with { Status = SessionStatus.Idle } : s;
                }, CancellationToken.None);
                if (updated is not null && changed)
                {
                    cache.PublishLocalSession(SessionEventNames.AgentEvent, updated, updated.LastOutput ?? "");
                    if (integrations.IntegrationOf(updated.Agent) == AgentIntegrationKinds.Codex)
                    {
                        first = TakeHeldMessage(live); // its start screen is drawn and quiet: it takes keys now
                    }
                }
            }
            finally
            {
                live.Gate.Release();
            }

            if (first is not null)
            {
                await SendHeldMessageAsync(sessionId, first.Text, afterStart: true);
            }
        }
        catch (Exception ex)
        {
            LogIdleFailed(sessionId, ex);
        }
    }

    private static string Tail(string screen, int lines) => string.Join('\n', screen.Split('\n').TakeLast(lines)).TrimEnd();
}
