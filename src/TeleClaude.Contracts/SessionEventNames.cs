namespace TeleClaude.Contracts;

/// <summary>Session event names, as carried on the <c>session_events:{computer}</c> Redis stream.</summary>
public static class SessionEventNames
{
    /// <summary>A session was created.</summary>
    public const string NewSession = "new_session";

    /// <summary>A session ended.</summary>
    public const string SessionTerminated = "session_terminated";

    /// <summary>Session fields changed.</summary>
    public const string SessionUpdated = "session_updated";

    /// <summary>The agent stopped, with a summary.</summary>
    public const string AgentEvent = "agent_event";

    /// <summary>A user sent input to the session.</summary>
    public const string InputReceived = "input_received";
}
