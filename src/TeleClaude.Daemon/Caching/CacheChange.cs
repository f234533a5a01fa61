using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Caching;

/// <summary>Something the cache learned; the hub and (later) the Redis emitter subscribe to these.</summary>
internal abstract record CacheChange;

/// <summary>A session event (<see cref="SessionEventNames"/>) on a local or remote session.</summary>
/// <param name="EventName">One of <see cref="SessionEventNames"/>.</param>
/// <param name="Session">The session after the event.</param>
/// <param name="Detail">The input text for input_received, the summary for agent_event.</param>
internal sealed record SessionChanged(string EventName, SessionInfo Session, string? Detail = null) : CacheChange;

/// <summary>A computer came online, sent a heartbeat, or went offline (see its status).</summary>
internal sealed record ComputerChanged(ComputerInfo Computer) : CacheChange;

/// <summary>A computer's project list changed.</summary>
internal sealed record ProjectsChanged(ProjectsUpdate Update) : CacheChange;

/// <summary>A project's todos changed.</summary>
internal sealed record TodosChanged(TodosUpdate Update) : CacheChange;

/// <summary>
/// In place of changes a subscriber of <see cref="CacheChangeFeed"/> missed because it fell a whole queue behind. The
/// subscriber must resync from the current state, which contains them.
/// </summary>
/// <param name="Count">How many changes were skipped.</param>
/// <param name="Since">When the first was skipped.</param>
internal sealed record ChangesDropped(long Count, DateTimeOffset Since) : CacheChange;
