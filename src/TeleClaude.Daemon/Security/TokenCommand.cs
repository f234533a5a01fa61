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
    private const string Usage = "Usage: TeleClaude.Daemon token show|rotate|path [--db PATH] [--TeleClaude:Access:TokenPath=PATH]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [var verb, .. var rest] || verb is not ("show" or "print" or "rotate" or "path"))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        AccessTokenFile tokens;
        try
        {
            var builder = WebApplication.CreateSlimBuilder(rest);
            builder.Configuration.AddCommandLine(rest, Configuration.ConfigurationExtensions.SwitchMappings.ToDictionary());
            var daemon = builder.Configuration.GetSection(DaemonOptions.SectionName).Get<DaemonOptions>() ?? new DaemonOptions();
            var access = builder.Configuration.GetSection(AccessOptions.SectionName).Get<AccessOptions>() ?? new AccessOptions();
            SecurityExtensions.ApplyDefaults(access, daemon);
            var check = new AccessOptionsValidator().Validate(null, access);
            if (check.Failed)
            {
                await Console.Error.WriteLineAsync($"teleclaude: invalid configuration: {check.FailureMessage}");
                return 2;
            }

            tokens = new AccessTokenFile(access.TokenPath!);
        }
        catch (FormatException ex)
        {
            await Console.Error.WriteLineAsync($"teleclaude: {ex.Message}\n{Usage}");
            return 2;
        }

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
