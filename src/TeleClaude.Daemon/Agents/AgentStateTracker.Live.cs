using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Agents;

/// <summary>What the tracker keeps of each session beyond its record.</summary>
internal sealed partial class AgentStateTracker
{
    /// <summary>An answer sent: what was asked, the question as the screen showed it, and when.</summary>
    private sealed record Answer(WaitingInfo Waiting, string Prompt, DateTimeOffset At);

    /// <summary>A line typed and submitted, the times Enter was pressed for it, and the check that follows.</summary>
    private sealed record TypedInput(string Line, int Presses, ITimer Check);

    /// <summary>The message a session was started with, held until its agent is ready, and the wait's end.</summary>
    private sealed record HeldMessage(string Text, ITimer Timeout);

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

        /// <summary>When the output was last recorded and published (see <c>OnScreenAsync</c>).</summary>
        public DateTimeOffset OutputPublishedAt { get; set; } = DateTimeOffset.MinValue;

        /// <summary>Records the newest output once an output-only change was held back.</summary>
        public ITimer? OutputFlush { get; set; }

        /// <summary>Input typed into the idle agent whose prompt hook has not been heard yet (see <c>ExpectPromptAsync</c>).</summary>
        public TypedInput? Typed { get; set; }

        /// <summary>The message the session was started with, until its agent is ready (see <c>HoldFirstMessage</c>).</summary>
        public HeldMessage? Held { get; set; }

        /// <summary>
        /// The start message, when the agent reported ready while a question was on its screen (Gemini CLI's folder-trust
        /// question comes after its SessionStart hook): typed once the screen shows no question, never into it.
        /// </summary>
        public string? HeldBehindQuestion { get; set; }
    }
}
