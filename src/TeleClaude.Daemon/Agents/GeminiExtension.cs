using System.Text.Json;

namespace TeleClaude.Daemon.Agents;

/// <summary>
/// How Gemini CLI sessions get our hooks. Gemini CLI 0.61 has no per-run settings flag, and the file named by
/// <c>GEMINI_CLI_SYSTEM_SETTINGS_PATH</c> is only read when it and every directory above it belong to root and are
/// not writable by others (it skips it with a warning otherwise), so a daemon of an ordinary user cannot hand one
/// session a settings file. What it loads for every run is its extensions: the daemon writes one, <c>teleclaude</c>,
/// into <c>~/.gemini/extensions</c>, whose hooks run the command in the session's <c>TELECLAUDE_HOOK</c> variable and do
/// nothing at all where that variable is not set (the user's own Gemini runs). The user's settings and hooks are not
/// touched and keep running beside ours; <c>gemini extensions disable teleclaude</c> turns ours off.
/// </summary>
internal static class GeminiExtension
{
    public const string Name = "teleclaude";

    /// <summary>The Gemini CLI hook events the daemon listens to.</summary>
    public static readonly IReadOnlyList<string> Events =
        ["SessionStart", "BeforeAgent", "BeforeTool", "AfterTool", "Notification", "AfterAgent", "SessionEnd"];

    /// <summary>
    /// Runs the session's hook command with the integration name (stdin, the event's JSON, passes through); without
    /// one it drains stdin and succeeds, so Gemini runs outside TeleClaude are not disturbed. No <c>${...}</c>: Gemini
    /// fills such placeholders in extension files itself.
    /// </summary>
    public const string HookCommand =
        "if [ -n \"$" + AgentLauncher.HookVariable + "\" ]; then eval \"$" + AgentLauncher.HookVariable + " " + AgentIntegrationKinds.Gemini + "\"; else cat >/dev/null; fi; exit 0";

    /// <summary>The extension's directory under <paramref name="geminiHome"/> (the directory holding <c>.gemini</c>).</summary>
    public static string DirectoryIn(string geminiHome) => Path.Combine(geminiHome, ".gemini", "extensions", Name);

    /// <summary>The Gemini home to use when none is configured: where the <c>gemini</c> of this user looks.</summary>
    public static string DefaultHome() =>
        Environment.GetEnvironmentVariable("GEMINI_CLI_HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>Writes the extension's files where they differ from what is there; true when something was written.</summary>
    public static bool Install(string directory, TimeSpan hookTimeout)
    {
        var changed = WriteIfChanged(Path.Combine(directory, "gemini-extension.json"), Manifest());
        changed |= WriteIfChanged(Path.Combine(directory, "hooks", "hooks.json"), Hooks(hookTimeout));
        return changed;
    }

    internal static byte[] Manifest() => Json(json =>
    {
        json.WriteString("name", Name);
        json.WriteString("version", "1.0.0");
        json.WriteString("description", "Reports the status of Gemini sessions started by the TeleClaude daemon to it; does nothing in other sessions.");
    });

    internal static byte[] Hooks(TimeSpan hookTimeout) => Json(json =>
    {
        json.WriteStartObject("hooks");
        foreach (var name in Events)
        {
            json.WriteStartArray(name);
            json.WriteStartObject();
            json.WriteStartArray("hooks");
            json.WriteStartObject();
            json.WriteString("name", "teleclaude-" + name);
            json.WriteString("type", "command");
            json.WriteString("command", HookCommand);
            // Gemini's own limit (milliseconds), a little above the hook's: the hook gives up (and exits 0) first.
            json.WriteNumber("timeout", (long)Math.Ceiling(hookTimeout.TotalMilliseconds) + 1000);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteEndObject();
    });

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.ToArray();
    }

    private static bool WriteIfChanged(string path, byte[] content)
    {
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(content))
        {
            return false;
        }

        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, content);
        File.Move(temp, path, overwrite: true);
        return true;
    }
}
