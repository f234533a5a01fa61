namespace Telec.Cli;

/// <summary>The daemon's default socket, resolved exactly as the daemon resolves it (see DaemonPaths).</summary>
internal static class SocketPaths
{
    public static string Default()
    {
        var runtimeDir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        var dir = !string.IsNullOrEmpty(runtimeDir) && Directory.Exists(runtimeDir)
            ? Path.Combine(runtimeDir, "teleclaude")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".teleclaude");
        return Path.Combine(dir, "teleclaude.sock");
    }
}
