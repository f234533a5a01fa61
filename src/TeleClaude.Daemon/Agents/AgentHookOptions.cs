namespace TeleClaude.Daemon.Agents;

/// <summary>How agents report to the daemon through hooks (section <c>TeleClaude:Hooks</c>).</summary>
internal sealed class AgentHookOptions
{
    public const string SectionName = "TeleClaude:Hooks";

    /// <summary>
    /// The program an agent's hook runs: <c>curl</c> (a small sh script around curl; starts in milliseconds),
    /// <c>dotnet</c> (<c>TeleClaude.Daemon hook</c>; needs no curl but starts in about a tenth of a second), or
    /// <c>auto</c>: curl when it is on PATH, else dotnet.
    /// </summary>
    public string Client { get; set; } = "auto";

    /// <summary>Longest a hook waits for the daemon before giving up (and exiting 0: the agent is never held up longer).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Largest hook payload accepted, in bytes; larger ones are refused (413) and counted.</summary>
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>Where the daemon writes the hook script and each session's agent settings; empty: <c>agents/</c> beside the database.</summary>
    public string? Directory { get; set; }

    /// <summary>
    /// The Gemini CLI home (the directory holding <c>.gemini</c>) whose <c>extensions/teleclaude</c> the daemon writes
    /// for Gemini sessions; empty: <c>GEMINI_CLI_HOME</c>, else the daemon user's home (where <c>gemini</c> looks).
    /// </summary>
    public string? GeminiHome { get; set; }
}
