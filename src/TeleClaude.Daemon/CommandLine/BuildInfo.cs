using System.Reflection;

namespace TeleClaude.Daemon.CommandLine;

/// <summary>
/// What build this is: the version and, from a git clone, the commit the SDK stamps into the informational version
/// (<c>0.1.0+3f2c9e1...</c>). Shared as source with telec (linked into its project), so both say it the same way.
/// </summary>
internal static class BuildInfo
{
    /// <summary>The informational version as stamped: <c>0.1.0+&lt;commit&gt;</c>, or <c>0.1.0</c> built without git.</summary>
    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The commit, or null when the build did not know it (a tarball without .git).</summary>
    public static string? Commit => Version.IndexOf('+', StringComparison.Ordinal) is var plus and >= 0 ? Version[(plus + 1)..] : null;

    /// <summary>One line for <c>--version</c>: the version with its commit, or a word that the commit is unknown.</summary>
    public static string Describe() => Commit is null ? $"{Version} (commit unknown)" : Version;
}
