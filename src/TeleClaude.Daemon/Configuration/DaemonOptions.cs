using System.ComponentModel.DataAnnotations;

namespace TeleClaude.Daemon.Configuration;

/// <summary>The daemon's settings, bound from the <c>TeleClaude</c> configuration section.</summary>
internal sealed class DaemonOptions
{
    public const string SectionName = "TeleClaude";

    /// <summary>This computer's name across the installation; defaults to the machine name.</summary>
    public string ComputerName { get; set; } = Environment.MachineName;

    /// <summary>Unix socket for REST and the hub; defaults under $XDG_RUNTIME_DIR/teleclaude or ~/.teleclaude.</summary>
    public string SocketPath { get; set; } = DaemonPaths.DefaultSocketPath();

    /// <summary>SQLite database file for sessions and settings; defaults to ~/.teleclaude/teleclaude.db.</summary>
    public string DatabasePath { get; set; } = DaemonPaths.DefaultDatabasePath();

    /// <summary>Optional extra HTTP listener for tools, e.g. http://127.0.0.1:8765. Loopback only unless <see cref="AllowNonLoopbackTcp"/>.</summary>
    public string? TcpUrl { get; set; }

    /// <summary>Lets <see cref="TcpUrl"/> bind a non-loopback address. Off by default: the listener speaks plain HTTP, so the bearer token would cross the network in the clear.</summary>
    public bool AllowNonLoopbackTcp { get; set; }

    /// <summary>The projects of this computer: each configured directory is a project.</summary>
    public List<ProjectOptions> Projects { get; set; } = [];

    /// <summary>
    /// Agents by name: the command (program and arguments, run without a shell) a session of that agent runs
    /// in its project directory. Defaults: claude, codex, gemini.
    /// </summary>
    public Dictionary<string, Sessions.AgentOptions> Agents { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Agents every daemon knows unless configured otherwise (added after binding: binding appends to lists).</summary>
    public static IReadOnlyDictionary<string, string[]> DefaultAgents { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["claude"] = ["claude"],
        ["codex"] = ["codex"],
        ["gemini"] = ["gemini"],
    };

    /// <summary>Largest hub message a client may send, in bytes.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public long MaximumHubMessageSize { get; set; } = 64 * 1024;

    /// <summary>How often local system stats are sampled (and, with Redis, the heartbeat period).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>One configured project directory.</summary>
internal sealed class ProjectOptions
{
    /// <summary>Absolute path of the project directory.</summary>
    public string Path { get; set; } = "";

    /// <summary>Display name; the directory name when empty.</summary>
    public string? Name { get; set; }

    /// <summary>What the project is.</summary>
    public string Description { get; set; } = "";
}
