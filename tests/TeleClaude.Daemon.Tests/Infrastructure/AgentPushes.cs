using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// Following a real agent's session through a hub client's pushes, with the patience a real agent on a loaded machine
/// needs (its spinner keeps pushing last_output meanwhile); a miss fails with the statuses and the last screen seen.
/// Shared by the tests that drive the real Claude CLI, locally and across computers.
/// </summary>
internal static class AgentPushes
{
    /// <summary>Waits for the session's AgentEvent; answers again each time it is reported waiting again.</summary>
    public static async Task<AgentEventInfo> UntilStoppedAsync(RecordingClient pushes, string sessionId, Func<Task<SessionInfo>> answer, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var answers = 1;
        var answeredActive = false;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var push in pushes.Drain())
            {
                if (push.Payload is AgentEventInfo stopped && stopped.Session.SessionId == sessionId)
                {
                    TestContext.Out.WriteLine($"answers needed: {answers}");
                    return stopped;
                }

                // Only a waiting that follows the active of the last answer is a question asked again (older pushes of
                // the first question may still be queued).
                if (push.Payload is SessionInfo { Status: SessionStatus.Active } active && active.SessionId == sessionId)
                {
                    answeredActive = true;
                }
                else if (push.Payload is SessionInfo { Status: SessionStatus.Waiting, Waiting.Choices.Count: > 0 } again && again.SessionId == sessionId
                    && answeredActive && answers < 3)
                {
                    answers++;
                    answeredActive = false;
                    await answer();
                }
            }

            await Task.Delay(50, cancellationToken);
        }

        var last = pushes.Seen.Select(p => p.Payload).OfType<SessionInfo>().LastOrDefault();
        throw new TimeoutException($"No AgentEvent within 90 s after {answers} answer(s); last screen:\n{last?.LastOutput}");
    }

    /// <summary>The next SessionUpdated push of the session that matches, skipping others.</summary>
    public static Task<SessionInfo> NextSessionAsync(RecordingClient pushes, string sessionId, Func<SessionInfo, bool> match, CancellationToken cancellationToken) =>
        WithinAsync(pushes, () => pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionUpdated), s => s.SessionId == sessionId && match(s), cancellationToken));

    /// <summary>
    /// Waits up to 90 s (the real agent on a loaded 2-core machine: its spinner keeps pushing last_output meanwhile),
    /// then fails with the statuses and the last screen seen.
    /// </summary>
    public static async Task<T> WithinAsync<T>(RecordingClient pushes, Func<Task<T>> next)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                return await next();
            }
            catch (TimeoutException)
            {
            }
        }

        var last = pushes.Seen.Select(p => p.Payload).OfType<SessionInfo>().LastOrDefault();
        throw new TimeoutException(
            $"Nothing matched within 90 s; statuses seen: {string.Join(", ", pushes.Seen.Select(p => p.Payload is SessionInfo s ? $"{p.Method}:{s.Status}" : p.Method).Distinct())}; last screen:\n{last?.LastOutput}");
    }
}
