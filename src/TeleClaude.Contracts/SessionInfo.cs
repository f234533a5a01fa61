namespace TeleClaude.Contracts;

/// <summary>An AI agent session on a computer.</summary>
/// <param name="SessionId">Unique id of the session.</param>
/// <param name="Computer">The computer the session runs on.</param>
/// <param name="Title">Human title.</param>
/// <param name="ProjectPath">The project directory the session works in.</param>
/// <param name="Status">Lifecycle state.</param>
/// <param name="Agent">The agent name (claude, codex, gemini, ...).</param>
/// <param name="CreatedAt">When the session was created (UTC).</param>
/// <param name="LastActivity">When anything last happened in it (UTC).</param>
/// <param name="LastInput">The last input sent to it, if any.</param>
/// <param name="LastOutput">The last output seen from it, if any.</param>
public sealed record SessionInfo(
    string SessionId,
    string Computer,
    string Title,
    string ProjectPath,
    SessionStatus Status,
    string Agent,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastActivity,
    string? LastInput,
    string? LastOutput);

/// <summary>Lifecycle state of a session.</summary>
public enum SessionStatus
{
    /// <summary>Created, agent not yet working.</summary>
    Starting,

    /// <summary>The agent is working.</summary>
    Active,

    /// <summary>The agent stopped and waits for input.</summary>
    Idle,

    /// <summary>The session ended.</summary>
    Terminated,
}
