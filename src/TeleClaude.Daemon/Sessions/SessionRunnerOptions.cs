namespace TeleClaude.Daemon.Sessions;

/// <summary>How sessions run (section <c>TeleClaude:Sessions</c>) and which agents exist (<c>TeleClaude:Agents</c>).</summary>
internal sealed class SessionRunnerOptions
{
    public const string SectionName = "TeleClaude:Sessions";

    /// <summary>tmux server socket name (<c>tmux -L</c>): the daemon's sessions live on their own tmux server.</summary>
    public string TmuxSocketName { get; set; } = "teleclaude";

    /// <summary>How often each live session's pane is captured to track its output and status.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>An active session whose output has not changed for this long is idle: the agent stopped (agent_event).</summary>
    public TimeSpan IdleAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Lines of pane history kept as last_output (and returned as the output tail).</summary>
    public int OutputLines { get; set; } = 40;
}

/// <summary>One agent: the command (program and arguments, no shell) a session of it runs in the project directory.</summary>
internal sealed class AgentOptions
{
    public const string SectionName = "TeleClaude:Agents";

    public List<string> Command { get; set; } = [];
}
