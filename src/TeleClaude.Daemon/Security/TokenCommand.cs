using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// <c>TeleClaude.Daemon token show|rotate|path [--db PATH] [--TeleClaude:Access:TokenPath=PATH]</c>: prints or
/// replaces the TCP listener's token. It reads the same configuration as the daemon (appsettings.json,
/// environment, switches), so it finds the same file. The token alone goes to stdout, for
/// <c>$(TeleClaude.Daemon token show)</c>; everything else to stderr.
/// </summary>
internal static class TokenCommand
{
    /// <summary>
    /// The daemon's and the access settings as the daemon reads them (appsettings.json beside it, the user configuration
    /// file, environment, switches), for the commands that act on the same files; or the problem that makes them unusable.
    /// </summary>
    internal static (DaemonOptions Daemon, AccessOptions Access, string? Problem) LoadOptions(string[] args)
    {
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
            Configuration.ConfigurationExtensions.AddDaemonSources(builder.Configuration, args);
            var daemon = builder.Configuration.GetSection(DaemonOptions.SectionName).Get<DaemonOptions>() ?? new DaemonOptions();
            var access = builder.Configuration.GetSection(AccessOptions.SectionName).Get<AccessOptions>() ?? new AccessOptions();
            SecurityExtensions.ApplyDefaults(access, daemon);
            var check = new AccessOptionsValidator().Validate(null, access);
            return (daemon, access, check.Failed ? $"invalid configuration: {check.FailureMessage}" : null);
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or Hosting.DaemonStopException)
        {
            return (new DaemonOptions(), new AccessOptions(), ex.Message);
        }
    }

    private const string Usage = "Usage: TeleClaude.Daemon token show|rotate|path [--db PATH] [--TeleClaude:Access:TokenPath=PATH]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [var verb, .. var rest] || verb is not ("show" or "print" or "rotate" or "path"))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var (_, access, problem) = LoadOptions(rest);
        if (problem is not null)
        {
            await Console.Error.WriteLineAsync($"teleclaude: {problem}\n{Usage}");
            return 2;
        }

        var tokens = new AccessTokenFile(access.TokenPath!);

        try
        {
            switch (verb)
            {
                case "path":
                    await Console.Out.WriteLineAsync(tokens.Path);
                    break;
                case "rotate":
                    var token = tokens.Rotate();
                    await Console.Out.WriteLineAsync(token);
                    await Console.Error.WriteLineAsync($"teleclaude: new token in {tokens.Path}; the old one is refused from the next request on. Update the clients that had it (e.g. `claude mcp add ... --header`).");
                    break;
                default:
                    await Console.Out.WriteLineAsync(tokens.GetOrCreate());
                    break;
            }

            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"teleclaude: {tokens.Path}: {ex.Message}");
            return 1;
        }
    }
}
