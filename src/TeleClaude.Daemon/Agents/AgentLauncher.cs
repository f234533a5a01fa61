using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Agents;

/// <summary>How to start one session's agent: its command, its environment and the hash of its hook secret.</summary>
internal sealed record AgentLaunch(IReadOnlyList<string> Command, IReadOnlyDictionary<string, string> Environment, string HookSecretHash);

/// <summary>
/// Prepares an agent's start so it reports to this daemon. Every session gets its id, the daemon's socket and a
/// fresh secret in its tmux environment (<c>TELECLAUDE_SESSION_ID</c>, <c>TELECLAUDE_SOCKET</c>,
/// <c>TELECLAUDE_HOOK_SECRET</c>, and <c>TELECLAUDE_HOOK</c>, the hook command). Claude Code also gets <c>--settings FILE</c>: a per-session file (0600) that
/// registers our hook command for its lifecycle events; <c>--settings</c> adds to the user's own settings, so their
/// hooks keep running. Codex gets <c>-c notify=[...]</c>, its end-of-turn program. Gemini CLI gets our hooks from the
/// TeleClaude extension in its home (<see cref="GeminiExtension"/>), which runs <c>TELECLAUDE_HOOK</c>.
/// </summary>
internal sealed partial class AgentLauncher
{
    /// <summary>The Claude Code hook events the daemon listens to.</summary>
    public static readonly IReadOnlyList<string> ClaudeEvents =
        ["SessionStart", "UserPromptSubmit", "PreToolUse", "PermissionRequest", "PostToolUse", "Notification", "Stop", "SessionEnd"];

    public const string SessionVariable = "TELECLAUDE_SESSION_ID";
    public const string SocketVariable = "TELECLAUDE_SOCKET";
    public const string SecretVariable = "TELECLAUDE_HOOK_SECRET";

    /// <summary>Keeps Gemini CLI in one process (see <see cref="Prepare"/>).</summary>
    public const string GeminiNoRelaunchVariable = "GEMINI_CLI_NO_RELAUNCH";

    /// <summary>The hook command line (without the integration argument), for agents or wrappers that report by themselves.</summary>
    public const string HookVariable = "TELECLAUDE_HOOK";

    private readonly AgentHookOptions _hooks;
    private readonly DaemonOptions _daemon;
    private readonly AgentIntegrations _integrations;
    private readonly ILogger<AgentLauncher> _logger;
    private readonly Lazy<IReadOnlyList<string>> _hookCommand;

    public AgentLauncher(IOptions<AgentHookOptions> hooks, IOptions<DaemonOptions> daemon, AgentIntegrations integrations, ILogger<AgentLauncher> logger)
    {
        _hooks = hooks.Value;
        _daemon = daemon.Value;
        _integrations = integrations;
        _logger = logger;
        Directory = string.IsNullOrWhiteSpace(_hooks.Directory)
            ? Path.Combine(Path.GetDirectoryName(_daemon.DatabasePath) ?? ".", "agents")
            : _hooks.Directory;
        _hookCommand = new(CreateHookCommand);
    }

    /// <summary>Where the hook script and the per-session settings files live (0700).</summary>
    public string Directory { get; }

    /// <summary>The hook program and its leading arguments (the integration name follows), as chosen at start.</summary>
    public IReadOnlyList<string> HookCommand => _hookCommand.Value;

    /// <summary>Builds the command and environment of a new session of <paramref name="agent"/>, writing its settings file when it needs one.</summary>
    public AgentLaunch Prepare(string agent, string sessionId)
    {
        if (_hookCommand.IsValueCreated && HookCommand is ["sh", var script] && !File.Exists(script))
        {
            // Someone cleaned the agents directory while the daemon ran: write the script again.
            DaemonPaths.EnsurePrivateDirectory(Directory);
            WritePrivate(script, Encoding.UTF8.GetBytes(HookScript(_hooks.Timeout)));
        }

        var command = _daemon.Agents[agent].Command;
        var secret = HookSecrets.Create();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SessionVariable] = sessionId,
            [SocketVariable] = _daemon.SocketPath,
            [SecretVariable] = secret,
            [HookVariable] = string.Join(' ', HookCommand.Select(ShellQuote)),
        };
        IReadOnlyList<string> full = _integrations.IntegrationOf(agent) switch
        {
            AgentIntegrationKinds.Claude => [.. command, "--settings", WriteClaudeSettings(sessionId)],
            AgentIntegrationKinds.Codex => [.. command, "-c", "notify=" + JsonSerializer.Serialize(HookCommand.Append(AgentIntegrationKinds.Codex).ToArray(), AgentJsonContext.Default.StringArray)],
            _ => command,
        };
        if (_integrations.IntegrationOf(agent) == AgentIntegrationKinds.Gemini)
        {
            EnsureGeminiExtension();
            // Gemini CLI 0.61 restarts itself as a child node process (for a larger heap); that pair ignores the hang-up
            // tmux sends when a session is ended, and both lived on as orphans (seen here). Run as one process, it exits.
            environment[GeminiNoRelaunchVariable] = "true";
        }

        return new AgentLaunch(full, environment, HookSecrets.Hash(secret));
    }

    /// <summary>Removes what <see cref="Prepare"/> wrote for a session that ended.</summary>
    public void Forget(string sessionId)
    {
        try
        {
            File.Delete(SettingsPath(sessionId));
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Where the TeleClaude extension for Gemini CLI is written (see <see cref="GeminiExtension"/>).</summary>
    public string GeminiExtensionDirectory => GeminiExtension.DirectoryIn(string.IsNullOrWhiteSpace(_hooks.GeminiHome) ? GeminiExtension.DefaultHome() : _hooks.GeminiHome);

    /// <summary>Installs (or brings up to date) the extension whose hooks report Gemini sessions; without it they keep the screen heuristic.</summary>
    private void EnsureGeminiExtension()
    {
        var directory = GeminiExtensionDirectory;
        try
        {
            if (GeminiExtension.Install(directory, _hooks.Timeout))
            {
                LogGeminiExtension(directory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogGeminiExtensionFailed(directory, ex);
        }
    }

    public string SettingsPath(string sessionId) => Path.Combine(Directory, sessionId + ".claude-settings.json");

    private string WriteClaudeSettings(string sessionId)
    {
        DaemonPaths.EnsurePrivateDirectory(Directory);
        var hook = string.Join(' ', HookCommand.Append(AgentIntegrationKinds.Claude).Select(ShellQuote));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("hooks");
            foreach (var name in ClaudeEvents)
            {
                json.WriteStartArray(name);
                json.WriteStartObject();
                json.WriteStartArray("hooks");
                json.WriteStartObject();
                json.WriteString("type", "command");
                json.WriteString("command", hook);
                // Claude's own limit, a little above the hook's: the hook gives up (and exits 0) first.
                json.WriteNumber("timeout", Math.Max(1, (int)Math.Ceiling(_hooks.Timeout.TotalSeconds) + 1));
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        var path = SettingsPath(sessionId);
        WritePrivate(path, buffer.ToArray());
        return path;
    }

    private IReadOnlyList<string> CreateHookCommand()
    {
        var client = _hooks.Client.Trim().ToLowerInvariant();
        if (client == "curl" || (client == "auto" && OnPath("curl")))
        {
            DaemonPaths.EnsurePrivateDirectory(Directory);
            var script = Path.Combine(Directory, "teleclaude-hook.sh");
            WritePrivate(script, Encoding.UTF8.GetBytes(HookScript(_hooks.Timeout)));
            LogHookClient("curl", script);
            return ["sh", script];
        }

        // `TeleClaude.Daemon hook`, run the way this daemon was: as its own app host, else through the dotnet host
        // (the one running this process when it is dotnet, else the one on PATH, e.g. when hosted by a test runner).
        var process = Environment.ProcessPath ?? "dotnet";
        // (Beside the app: a single-file build has no assembly path; it runs as `teleclaude`, like the installed tool.)
        var assembly = Path.Combine(AppContext.BaseDirectory, "TeleClaude.Daemon.dll");
        IReadOnlyList<string> command = Path.GetFileNameWithoutExtension(process) switch
        {
            "TeleClaude.Daemon" or "teleclaude" => [process, "hook"],
            "dotnet" => [process, assembly, "hook"],
            _ => ["dotnet", assembly, "hook"],
        };
        var shown = string.Join(' ', command);
        LogHookClient("dotnet", shown);
        return command;
    }

    /// <summary>
    /// The curl hook: posts the JSON on stdin (Claude) or in the last argument (Codex's notify) to the daemon's
    /// socket. The session id and secret go as headers read from a here-document on fd 3, so they never appear in
    /// a process's arguments. Whatever happens, it exits 0 within the timeout: a hook must never disturb the agent.
    /// </summary>
    internal static string HookScript(TimeSpan timeout) => $$"""
        #!/bin/sh
        # Written by the TeleClaude daemon. Forwards an agent hook's JSON to the daemon that started the session.
        # Never fails the agent: no daemon, a timeout or an error all end in exit 0.
        kind="$1"
        if [ ! -S "${TELECLAUDE_SOCKET:-}" ] || [ -z "${TELECLAUDE_SESSION_ID:-}" ]; then
          [ $# -ge 2 ] || cat >/dev/null
          exit 0
        fi
        post() {
          curl -s -o /dev/null --max-time {{timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}} --unix-socket "$TELECLAUDE_SOCKET" \
            -H 'Content-Type: application/json' -H @/dev/fd/3 --data-binary @- \
            "http://localhost/hooks/$kind" 3<<EOF
        X-TeleClaude-Session: $TELECLAUDE_SESSION_ID
        X-TeleClaude-Secret: ${TELECLAUDE_HOOK_SECRET:-}
        EOF
        }
        if [ $# -ge 2 ]; then
          printf '%s' "$2" | post >/dev/null 2>&1
        else
          post >/dev/null 2>&1
        fi
        exit 0

        """.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static void WritePrivate(string path, byte[] content)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(content);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));

    internal static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [LoggerMessage(EventId = 715, Level = LogLevel.Information, Message = "Wrote the TeleClaude extension for Gemini CLI (its hooks report Gemini sessions; inert elsewhere) to {Directory}")]
    private partial void LogGeminiExtension(string directory);

    [LoggerMessage(EventId = 716, Level = LogLevel.Warning, Message = "Could not write the TeleClaude extension for Gemini CLI to {Directory}: Gemini sessions get the screen heuristic only.")]
    private partial void LogGeminiExtensionFailed(string directory, Exception exception);

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Agent hooks run the {Client} client: {Command}")]
    private partial void LogHookClient(string client, string command);
}
