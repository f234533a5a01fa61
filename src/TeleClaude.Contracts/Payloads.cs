namespace TeleClaude.Contracts;

/// <summary>Full state of the sessions view, pushed on subscribe and after a refresh.</summary>
/// <param name="Computers">Every known computer, online or offline.</param>
/// <param name="Sessions">Every known session, local and remote.</param>
/// <param name="TakenAt">When the snapshot was taken (UTC).</param>
public sealed record SessionsSnapshot(IReadOnlyList<ComputerInfo> Computers, IReadOnlyList<SessionInfo> Sessions, DateTimeOffset TakenAt);

/// <summary>Full state of the preparation view, pushed on subscribe and after a refresh.</summary>
/// <param name="Computers">Every known computer, online or offline.</param>
/// <param name="Projects">Every known project with its todos.</param>
/// <param name="TakenAt">When the snapshot was taken (UTC).</param>
public sealed record PreparationSnapshot(IReadOnlyList<ComputerInfo> Computers, IReadOnlyList<ProjectTodos> Projects, DateTimeOffset TakenAt);

/// <summary>A project with its roadmap items.</summary>
/// <param name="Project">The project.</param>
/// <param name="Todos">Its todos in roadmap order; empty when unknown yet.</param>
public sealed record ProjectTodos(ProjectInfo Project, IReadOnlyList<TodoInfo> Todos);

/// <summary>The agent of a session stopped.</summary>
/// <param name="Session">The session after the event.</param>
/// <param name="Summary">The agent's last output, as a summary.</param>
public sealed record AgentEventInfo(SessionInfo Session, string Summary);

/// <summary>Input was sent to a session.</summary>
/// <param name="Session">The session after the event.</param>
/// <param name="Input">The text sent.</param>
public sealed record InputReceivedInfo(SessionInfo Session, string Input);

/// <summary>The project list of a computer changed.</summary>
/// <param name="Computer">The computer.</param>
/// <param name="Projects">Its full project list.</param>
public sealed record ProjectsUpdate(string Computer, IReadOnlyList<ProjectInfo> Projects);

/// <summary>The todos of a project changed.</summary>
/// <param name="Computer">The computer the project lives on.</param>
/// <param name="ProjectPath">The project's path.</param>
/// <param name="Todos">Its full todo list.</param>
public sealed record TodosUpdate(string Computer, string ProjectPath, IReadOnlyList<TodoInfo> Todos);

/// <summary>The terminal screen of a watched session.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Computer">The computer it runs on.</param>
/// <param name="Screen">The visible screen (and as much scrollback as the daemon keeps), plain text, lines separated by '\n'.</param>
/// <param name="CapturedAt">When the screen was captured (UTC).</param>
public sealed record SessionOutput(string SessionId, string Computer, string Screen, DateTimeOffset CapturedAt);

/// <summary>A page of a session's conversation: answer of <c>GET /sessions/{id}/messages?since=&amp;limit=</c>.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Source">Where the messages come from: <c>transcript</c> (the agent's own transcript) or <c>screen</c> (no transcript: the screen tail as one message).</param>
/// <param name="Messages">The messages after <c>since</c>, oldest first, at most <c>limit</c>.</param>
/// <param name="NextCursor">Pass as <c>since</c> to get the messages after this page; null when the page is the end so far.</param>
public sealed record SessionMessages(string SessionId, string Source, IReadOnlyList<SessionMessage> Messages, string? NextCursor);

/// <summary>One turn of a conversation.</summary>
/// <param name="Cursor">Opaque position of this message; pass as <c>since</c> to read what follows it.</param>
/// <param name="Role"><c>user</c>, <c>assistant</c> or <c>tool</c> (a tool call, summarized in <paramref name="Text"/>).</param>
/// <param name="Text">The message text; tool calls as one summary line (e.g. "Bash: ls -la").</param>
/// <param name="At">When it was written (UTC), when the transcript says.</param>
public sealed record SessionMessage(string Cursor, string Role, string Text, DateTimeOffset? At);
