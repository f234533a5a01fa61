using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace TeleClaude.Daemon.Configuration;

internal static class ConfigurationExtensions
{
    /// <summary>Short command-line switches for the settings people change most.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--socket"] = "TeleClaude:SocketPath",
        ["--computer"] = "TeleClaude:ComputerName",
        ["--db"] = "TeleClaude:DatabasePath",
        ["--tcp"] = "TeleClaude:TcpUrl",
    };

    /// <summary>Binds and validates <see cref="DaemonOptions"/> and <see cref="CacheOptions"/> on start.</summary>
    public static WebApplicationBuilder AddDaemonOptions(this WebApplicationBuilder builder, string[] args)
    {
        builder.Configuration.AddCommandLine(args, SwitchMappings.ToDictionary());
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
}
