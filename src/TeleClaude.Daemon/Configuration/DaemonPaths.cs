namespace TeleClaude.Daemon.Configuration;

/// <summary>Default locations: the socket under the user's runtime dir, data under ~/.teleclaude.</summary>
internal static class DaemonPaths
{
    public const string SocketFileName = "teleclaude.sock";

    public static string DataDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".teleclaude");

    public static string DefaultSocketPath()
    {
        var runtimeDir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        var dir = !string.IsNullOrEmpty(runtimeDir) && Directory.Exists(runtimeDir)
            ? Path.Combine(runtimeDir, "teleclaude")
            : DataDirectory();
        return Path.Combine(dir, SocketFileName);
    }

    public static string DefaultDatabasePath() => Path.Combine(DataDirectory(), "teleclaude.db");

    /// <summary>Creates <paramref name="directory"/> (and parents) readable by the owner only.</summary>
    public static void EnsurePrivateDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
