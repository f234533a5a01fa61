namespace TeleClaude.Contracts;

/// <summary>Methods the daemon calls on subscribed clients of <see cref="ISessionsHub"/>.</summary>
public interface ISessionsClient
{
    /// <summary>Full state of the sessions view (on subscribe and after refresh).</summary>
    Task SessionsState(SessionsSnapshot snapshot);

    /// <summary>Full state of the preparation view (on subscribe and after refresh).</summary>
    Task PreparationState(PreparationSnapshot snapshot);

    /// <summary>A session was created (sessions view).</summary>
    Task SessionCreated(SessionInfo session);

    /// <summary>Session fields changed (sessions view).</summary>
    Task SessionUpdated(SessionInfo session);

    /// <summary>A session ended (sessions view).</summary>
    Task SessionTerminated(SessionInfo session);

    /// <summary>An agent stopped (sessions view).</summary>
    Task AgentEvent(AgentEventInfo agentEvent);

    /// <summary>Input was sent to a session (sessions view).</summary>
    Task InputReceived(InputReceivedInfo input);

    /// <summary>A computer's heartbeat changed or it came online (both views).</summary>
    Task ComputerUpdated(ComputerInfo computer);

    /// <summary>A computer's heartbeat expired (both views).</summary>
    Task ComputerOffline(ComputerInfo computer);

    /// <summary>A computer's project list changed (preparation view).</summary>
    Task ProjectsUpdated(ProjectsUpdate update);

    /// <summary>A project's todos changed (preparation view).</summary>
    Task TodosUpdated(TodosUpdate update);

    /// <summary>The screen of a watched session (on <see cref="ISessionsHub.Watch"/> and after each change).</summary>
    Task SessionOutput(SessionOutput output);
}
