namespace TeleClaude.Daemon.Configuration;

/// <summary>
/// Default locations: the socket under the user's runtime dir, data under ~/.teleclaude, the user's configuration file
/// under the XDG configuration directory.
/// </summary>
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

    /// <summary><c>$XDG_CONFIG_HOME/teleclaude/config.json</c>, else <c>~/.config/teleclaude/config.json</c> (XDG Base Directory).</summary>
    public static string DefaultUserConfigFile()
    {
        // The XDG spec ignores a relative $XDG_CONFIG_HOME, as it does an empty one.
        var configHome = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        var dir = !string.IsNullOrEmpty(configHome) && Path.IsPathFullyQualified(configHome)
            ? configHome
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(dir, "teleclaude", "config.json");
    }

    /// <summary>Creates <paramref name="directory"/> (and parents) readable by the owner only.</summary>
    public static void EnsurePrivateDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
