namespace TeleClaude.Contracts;

/// <summary>
/// An AI agent session on a computer. Only <see cref="SessionId"/>, <see cref="Computer"/> and <see cref="Status"/>
/// are always known; a session first heard of from a peer that sent part of it leaves the rest null (clients show
/// "unknown"), never an invented value.
/// </summary>
/// <param name="SessionId">Unique id of the session.</param>
/// <param name="Computer">The computer the session runs on.</param>
/// <param name="Title">Human title; null when not known yet.</param>
/// <param name="ProjectPath">The project directory the session works in; null when not known yet.</param>
/// <param name="Status">What the agent is doing, and whether it needs the user (<see cref="SessionStatus.Waiting"/>).</param>
/// <param name="Agent">The agent name (claude, codex, gemini, ...); null when not known yet.</param>
/// <param name="CreatedAt">When the session was created (UTC); null when not known yet.</param>
/// <param name="LastActivity">When anything last happened in it (UTC); null when not known yet.</param>
/// <param name="LastInput">The last input sent to it, if any.</param>
/// <param name="LastOutput">The tail of its terminal screen as last seen, if any.</param>
/// <param name="Waiting">While <see cref="Status"/> is <see cref="SessionStatus.Waiting"/>: what the agent asks and since when.</param>
/// <param name="LastMessage">The agent's last message (the end of its last turn), when its integration reports it.</param>
/// <param name="TmuxSocket">The tmux server (<c>tmux -L</c>) the session's terminal runs on; null when not known.</param>
/// <param name="TmuxSession">The tmux session (<c>attach -t</c>) of the session's terminal; null when not known.</param>
/// <param name="HasTranscript">True when the agent writes a transcript the daemon can serve as messages.</param>
public sealed record SessionInfo(
    string SessionId,
    string Computer,
    string? Title,
    string? ProjectPath,
    SessionStatus Status,
    string? Agent,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? LastActivity,
    string? LastInput,
    string? LastOutput,
    WaitingInfo? Waiting = null,
    string? LastMessage = null,
    string? TmuxSocket = null,
    string? TmuxSession = null,
    bool HasTranscript = false);

/// <summary>What a <see cref="SessionStatus.Waiting"/> session asks of the user.</summary>
/// <param name="Kind">What kind of question: <see cref="WaitingKinds"/>.</param>
/// <param name="Text">The question as the agent puts it (e.g. the command it wants to run), one or more lines.</param>
/// <param name="Since">When the session started waiting (UTC).</param>
/// <param name="Choices">The answers the agent offers, in its order; empty when it takes free text.</param>
public sealed record WaitingInfo(string Kind, string Text, DateTimeOffset Since, IReadOnlyList<AnswerChoice> Choices);

/// <summary>One answer a waiting agent offers.</summary>
/// <param name="Key">What to type to give this answer (e.g. "1").</param>
/// <param name="Label">The answer as the agent shows it (e.g. "Yes").</param>
/// <param name="Meaning">What the answer means, so a client can map its own yes/no keys to it: <see cref="AnswerMeanings"/>.</param>
public sealed record AnswerChoice(string Key, string Label, string Meaning);

/// <summary>Values of <see cref="WaitingInfo.Kind"/>.</summary>
public static class WaitingKinds
{
    /// <summary>The agent asks permission to use a tool (run a command, edit a file, ...).</summary>
    public const string Permission = "permission";

    /// <summary>The agent asks the user a question or waits at a prompt it recognised on screen.</summary>
    public const string Question = "question";
}

/// <summary>Values of <see cref="AnswerChoice.Meaning"/>.</summary>
public static class AnswerMeanings
{
    /// <summary>Approves (once).</summary>
    public const string Yes = "yes";

    /// <summary>Approves and stops asking for the same thing.</summary>
    public const string Always = "always";

    /// <summary>Refuses.</summary>
    public const string No = "no";

    /// <summary>Anything else.</summary>
    public const string Other = "other";
}

/// <summary>What a session's agent is doing, as far as the daemon can tell.</summary>
/// <remarks>Serialized as snake_case strings in JSON; new values are only ever appended.</remarks>
public enum SessionStatus
{
    /// <summary>Created; the agent has not started working yet.</summary>
    Starting,

    /// <summary>The agent is working.</summary>
    Active,

    /// <summary>The agent finished its turn and waits for the next instruction.</summary>
    Idle,

    /// <summary>The session ended.</summary>
    Terminated,

    /// <summary>The agent is blocked on the user: a permission dialog or a question (see <see cref="SessionInfo.Waiting"/>).</summary>
    Waiting,

    /// <summary>Not known: a peer reported the session without a status the daemon understands.</summary>
    Unknown,
}
