namespace TeleClaude.Contracts;

/// <summary>Body of <c>POST /sessions</c>.</summary>
/// <param name="ProjectPath">A configured project path of the target computer.</param>
/// <param name="Title">Human title (1-200 characters).</param>
/// <param name="Agent">Agent name (1-64 characters of letters, digits, '.', '_' or '-').</param>
/// <param name="Computer">Target computer; the local one when omitted.</param>
/// <param name="Message">Optional first input for the agent.</param>
public sealed record CreateSessionRequest(string ProjectPath, string Title, string Agent, string? Computer = null, string? Message = null);

/// <summary>Body of <c>PATCH /sessions/{id}</c>: fields to change; null leaves a field as it is.</summary>
/// <param name="Title">New title.</param>
/// <param name="Status">New status (not <see cref="SessionStatus.Terminated"/>: end a session with DELETE).</param>
/// <param name="LastOutput">New last output.</param>
public sealed record UpdateSessionRequest(string? Title = null, SessionStatus? Status = null, string? LastOutput = null);

/// <summary>Body of <c>POST /sessions/{id}/input</c>.</summary>
/// <param name="Text">The text to send (1-65536 characters).</param>
public sealed record SendInputRequest(string Text);

/// <summary>Body of <c>POST /sessions/{id}/agent-events</c>: the agent stopped.</summary>
/// <param name="Summary">The agent's last output as a summary.</param>
public sealed record AgentStoppedRequest(string Summary);

/// <summary>Body of <c>POST /sessions/{id}/answer</c>: answers a waiting session with one of its choices.</summary>
/// <param name="Choice">The <see cref="AnswerChoice.Key"/> of one of the session's <see cref="WaitingInfo.Choices"/> (e.g. "1").</param>
public sealed record AnswerRequest(string Choice);

/// <summary>Answer of <c>GET /health</c>.</summary>
/// <param name="Status">"ok" while every part works; "degraded" while the daemon serves but a part fails (see <paramref name="Problems"/>).</param>
/// <param name="Computer">This daemon's computer name.</param>
/// <param name="Version">Daemon version.</param>
/// <param name="StartedAt">When the daemon started (UTC).</param>
/// <param name="RedisConfigured">False in local-only mode.</param>
/// <param name="Problems">What fails right now, one entry per part; empty when the status is "ok".</param>
/// <param name="Contract">The <see cref="ContractVersion"/> the daemon speaks; null from daemons older than the field.</param>
public sealed record HealthReport(
    string Status, string Computer, string Version, DateTimeOffset StartedAt, bool RedisConfigured, IReadOnlyList<HealthProblem>? Problems = null,
    int? Contract = null);

/// <summary>A part of the daemon that fails right now.</summary>
/// <param name="Component">Which part, e.g. "storage".</param>
/// <param name="Detail">What fails, why, and what to do, e.g. "saving session 'x' in /home/me/.teleclaude/teleclaude.db failed: the disk is full ...".</param>
/// <param name="Since">When it started failing (UTC), when known.</param>
public sealed record HealthProblem(string Component, string Detail, DateTimeOffset? Since);
