using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Redis;

internal static partial class FleetSigningExtensions
{
    /// <summary>
    /// The fleet key (<see cref="FleetKeyOptions"/>, validated on start), the one stream writer that signs
    /// (<see cref="EntryWriter"/>) and the check of everything the stream follower reads (<see cref="EntryVerifier"/>).
    /// Without a key both pass entries through unchanged.
    /// </summary>
    public static IServiceCollection AddFleetSigning(this IServiceCollection services)
    {
        services.AddOptions<FleetKeyOptions>().BindConfiguration(FleetKeyOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FleetKeyOptions>, FleetKeyOptionsValidator>());
        services.TryAddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<FleetKeyOptions>>().Value;
            var keys = FleetKeys.Load(options, []);
            if (options.FleetKeyFile is { Length: > 0 } file && IsReadableByOthers(file))
            {
                LogKeyFileExposed(sp.GetRequiredService<ILoggerFactory>().CreateLogger<FleetKeys>(), file);
            }

            return keys;
        });
        services.TryAddSingleton<EntryWriter>();
        services.TryAddSingleton<EntryVerifier>();
        return services;
    }

    private static bool IsReadableByOthers(string path)
    {
        try
        {
            return (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Services are built before the settings are checked: a missing file is reported (exit 2) by the validator.
            return false;
        }
    }

    [LoggerMessage(EventId = 747, Level = LogLevel.Warning, Message = "The fleet key file {Path} is readable by other users of this computer: anyone who reads it can sign requests that start agents on every computer of the fleet. Make it owner-only (chmod 600) and rotate the key if someone may have read it.")]
    private static partial void LogKeyFileExposed(ILogger logger, string path);
}
