using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Hosting;

namespace TeleClaude.Daemon.Configuration;

internal static class ConfigurationExtensions
{
    /// <summary>The setting that names the user configuration file (<c>--config</c>, <c>TeleClaude__ConfigFile</c>).</summary>
    public const string ConfigFileKey = "TeleClaude:ConfigFile";

    /// <summary>Short command-line switches for the settings people change most.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--socket"] = "TeleClaude:SocketPath",
        ["--computer"] = "TeleClaude:ComputerName",
        ["--db"] = "TeleClaude:DatabasePath",
        ["--tcp"] = "TeleClaude:TcpUrl",
        ["--config"] = ConfigFileKey,
    };

    /// <summary>
    /// Built-in defaults, below everything else: requests are not logged one by one (a busy TUI would write megabytes),
    /// whether or not an appsettings.json is found.
    /// </summary>
    private static readonly Dictionary<string, string?> Defaults = new(StringComparer.Ordinal)
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    };

    /// <summary>
    /// Adds the daemon's configuration sources and binds and validates <see cref="DaemonOptions"/> and
    /// <see cref="CacheOptions"/> on start. Precedence, lowest first: built-in defaults, <c>appsettings.json</c> beside the
    /// daemon (the content root is the daemon's own directory, wherever it is started from), the user configuration file,
    /// environment variables, the command line.
    /// </summary>
    public static WebApplicationBuilder AddDaemonOptions(this WebApplicationBuilder builder, string[] args)
    {
        AddDaemonSources(builder.Configuration, args);
        builder.Services.AddOptions<DaemonOptions>().BindConfiguration(DaemonOptions.SectionName).ValidateOnStart()
            .PostConfigure(static o =>
            {
                foreach (var (name, command) in DaemonOptions.DefaultAgents)
                {
                    o.Agents.TryAdd(name, new Sessions.AgentOptions { Command = [.. command] });
                }
            });
        builder.Services.AddOptions<CacheOptions>().BindConfiguration(CacheOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DaemonOptions>, DaemonOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>Inserts the built-in defaults and the user configuration file at their places, and the short switches on top.</summary>
    internal static void AddDaemonSources(IConfigurationBuilder configuration, string[] args)
    {
        var sources = configuration.Sources;
        sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });

        var (file, named) = UserConfigFile(args);
        if (named && !File.Exists(file))
        {
            throw new DaemonStopException(
                ExitCodes.NeedsOperator,
                $"the configuration file {file} (named by --config or {ConfigFileKey}) does not exist; create it or leave the setting out to use {DaemonPaths.DefaultUserConfigFile()}.");
        }

        var user = new JsonConfigurationSource { Path = file, Optional = !named, ReloadOnChange = false };
        user.ResolveFileProvider();

        // Right above the last appsettings*.json, so environment variables and the command line still win over it.
        var appSettings = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource { Path: { } path } && path.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase))
            {
                appSettings = i;
            }
        }

        sources.Insert(appSettings >= 0 ? appSettings + 1 : FirstEnvironmentSource(sources), user);
        configuration.AddCommandLine(args, SwitchMappings.ToDictionary());
    }

    /// <summary>The user configuration file, and whether it was named explicitly (then it must exist).</summary>
    internal static (string Path, bool Named) UserConfigFile(string[] args)
    {
        var early = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args, SwitchMappings.ToDictionary()).Build();
        return early[ConfigFileKey] is { Length: > 0 } named
            ? (Path.GetFullPath(named), true)
            : (DaemonPaths.DefaultUserConfigFile(), false);
    }

    private static int FirstEnvironmentSource(IList<IConfigurationSource> sources)
    {
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource { Prefix: null or "" })
            {
                return i;
            }
        }

        return sources.Count;
    }
}
