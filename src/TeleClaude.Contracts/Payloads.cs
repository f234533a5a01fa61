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
