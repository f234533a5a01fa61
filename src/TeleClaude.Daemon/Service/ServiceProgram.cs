using System.Runtime.InteropServices;

namespace TeleClaude.Daemon.Service;

/// <summary>
/// What a service manager starts: this very program (the <c>teleclaude</c> tool's launcher, the single-file binary, or
/// <c>dotnet TeleClaude.Daemon.dll</c> when run that way), with <c>run</c> and the settings given to <c>service install</c>,
/// and the environment it needs there (where the .NET runtime is, for the framework-dependent builds; journal-friendly, quiet logs).
/// </summary>
/// <param name="Command">The program and its arguments, absolute paths.</param>
/// <param name="Environment">Variables the service sets.</param>
internal sealed record ServiceProgram(IReadOnlyList<string> Command, IReadOnlyList<KeyValuePair<string, string>> Environment)
{
    /// <summary>The service's name: <c>teleclaude.service</c> (systemd), the label <c>com.teleclaude.daemon</c> (launchd).</summary>
    public const string SystemdUnitName = "teleclaude.service";

    public const string LaunchdLabel = "com.teleclaude.daemon";

    /// <summary>The running program as a service command, with <paramref name="settings"/> after <c>run</c>.</summary>
    public static ServiceProgram Current(IReadOnlyList<string> settings, bool forSystemd)
    {
        var process = System.Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        List<string> command = Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, Path.Combine(AppContext.BaseDirectory, "TeleClaude.Daemon.dll")]
            : [process];
        command.Add("run");
        command.AddRange(settings.Select(AbsoluteIfPath));

        var environment = new List<KeyValuePair<string, string>>();
        if (DotnetRoot() is { } root)
        {
            // A tool's launcher finds the runtime through DOTNET_ROOT when it is not in the standard place; a service has no login shell to set it.
            environment.Add(new("DOTNET_ROOT", root));
        }

        // Quiet by default: warnings and errors, and the host's lines that say it started, where it listens and that it stops
        // (Microsoft.Hosting.Lifetime stays at Information in the built-in defaults). Category names hold dots, which
        // systemd does not take in variable names: for more, set a category (Logging:LogLevel:TeleClaude) in the configuration
        // file, or this variable with `systemctl --user edit teleclaude`.
        environment.Add(new("Logging__LogLevel__Default", "Warning"));
        if (forSystemd)
        {
            // journald reads the priority from each line's <N> prefix and stamps the time itself.
            environment.Add(new("Logging__Console__FormatterName", "systemd"));
        }

        return new ServiceProgram(command, environment);
    }

    /// <summary>The .NET install this framework-dependent program runs on, or null when it carries its own runtime.</summary>
    private static string? DotnetRoot()
    {
        if (System.Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } set)
        {
            return set;
        }

        // .../shared/Microsoft.NETCore.App/10.0.x/ → the install root three levels up (empty in a single-file build).
        var framework = RuntimeEnvironment.GetRuntimeDirectory();
        if (string.IsNullOrEmpty(framework) || !framework.Contains("/shared/Microsoft.NETCore.App/", StringComparison.Ordinal))
        {
            return null;
        }

        return Path.GetFullPath(Path.Combine(framework, "..", "..", ".."));
    }

    /// <summary>A relative path given as a setting (<c>--config ./x.json</c>) is made absolute: a service starts elsewhere.</summary>
    private static string AbsoluteIfPath(string argument) =>
        argument.StartsWith("./", StringComparison.Ordinal) || argument.StartsWith("../", StringComparison.Ordinal)
            ? Path.GetFullPath(argument)
            : argument;
}
