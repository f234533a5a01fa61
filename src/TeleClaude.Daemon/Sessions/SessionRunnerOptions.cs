namespace TeleClaude.Daemon.Sessions;

/// <summary>How sessions run (section <c>TeleClaude:Sessions</c>) and which agents exist (<c>TeleClaude:Agents</c>).</summary>
internal sealed class SessionRunnerOptions
{
    public const string SectionName = "TeleClaude:Sessions";

    /// <summary>tmux server socket name (<c>tmux -L</c>): the daemon's sessions live on their own tmux server.</summary>
    public string TmuxSocketName { get; set; } = "teleclaude";

    /// <summary>
    /// After tmux reports output of a quiet pane, how long to wait before capturing it, so a burst of output is
    /// captured once.
    /// </summary>
    public TimeSpan OutputDebounce { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Shortest time between two captures of a pane someone watches (hub <c>Watch</c>).</summary>
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Shortest time between two captures of a pane nobody watches: how often a busy session's <c>last_output</c>
    /// (and its screen-based status) is refreshed.
    /// </summary>
    public TimeSpan OutputInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// For agents without hooks: an active session whose output has not changed for this long is idle (agent_event
    /// with the last output as summary).
    /// </summary>
    public TimeSpan IdleAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The pause between typing a line and pressing Enter. Agents with a React/Ink interface (Claude Code, Codex, Gemini
    /// CLI) read keys that arrive together as one paste and can swallow an Enter that follows text at once.
    /// </summary>
    public TimeSpan SubmitDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long after input is sent to an idle agent whose hooks report prompts (Claude Code, Gemini CLI) its prompt hook
    /// may take before the screen is looked at: the typed line still in the input box means the Enter was swallowed.
    /// </summary>
    public TimeSpan SubmitCheckAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Lines of pane history kept as last_output (and returned as the output tail).</summary>
    public int OutputLines { get; set; } = 40;
}

/// <summary>One agent: the command (program and arguments, no shell) a session of it runs in the project directory.</summary>
internal sealed class AgentOptions
{
    public const string SectionName = "TeleClaude:Agents";

    public List<string> Command { get; set; } = [];

    /// <summary>
    /// Which integration reports this agent's state: <c>claude</c> (Claude Code hooks), <c>codex</c> (Codex
    /// <c>notify</c>), or <c>none</c> (the screen only). Empty: chosen from the program's name.
    /// </summary>
    public string? Integration { get; set; }

    /// <summary>
    /// Regular expressions that, found in the last lines of the screen, mean the agent waits for the user (a
    /// recognised prompt turns the session <c>waiting</c>). Empty: the built-in list.
    /// </summary>
    public List<string> PromptPatterns { get; set; } = [];
}
