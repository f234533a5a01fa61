using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Caching;

namespace TeleClaude.Daemon.Redis;

internal static class RedisTransportExtensions
{

    /// <summary>
    /// With <c>TeleClaude:Redis:Configuration</c> set: one shared multiplexer (reconnecting on its own), the blocking
    /// stream reader on its own connection, the heartbeat, the event emitter and receiver, the request responder, the
    /// screens of sessions watched from other computers, and pulls through Redis.
    /// Without it: nothing (local-only mode).
    /// </summary>
    public static WebApplicationBuilder AddRedisTransport(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        services.TryAddSingleton<RedisCounters>();
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{RedisOptions.SectionName}:{nameof(RedisOptions.Configuration)}"]))
        {
            return builder;
        }

        services.TryAddSingleton<RedisConnectionOptions>();
        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = sp.GetRequiredService<RedisConnectionOptions>().Create();
            // StackExchange.Redis refuses CLIENT UNBLOCK without admin mode; the daemon sends it to wake its own
            // blocked stream reader (StreamFollower) and issues no other admin command.
            options.AllowAdmin = true;
            return sp.GetRequiredService<Security.RedisConnectionSecurity>().Watch(ConnectionMultiplexer.Connect(options));
        });
        services.TryAddSingleton<PeerDirectory>();
        services.TryAddSingleton<StreamFollower>();
        services.AddHostedService(sp => sp.GetRequiredService<StreamFollower>());
        services.TryAddSingleton<RedisRemoteDataSource>();
        services.Replace(ServiceDescriptor.Singleton<IRemoteDataSource>(sp => sp.GetRequiredService<RedisRemoteDataSource>()));
        services.AddHostedService<HeartbeatService>();
        services.AddHostedService<SessionEventReceiver>();
        services.AddHostedService<SessionEventEmitter>();
        services.TryAddSingleton<ScreenPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<ScreenPublisher>());
        services.AddHostedService<RequestResponder>();
        return builder;
    }
}
