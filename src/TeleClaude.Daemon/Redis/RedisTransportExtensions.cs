using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Redis;

internal static class RedisTransportExtensions
{
    /// <summary>
    /// With <c>TeleClaude:Redis:Configuration</c> set: one shared multiplexer (reconnecting on its own), the
    /// heartbeat, the event emitter and receiver, the request responder, and pulls through Redis.
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

        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = ConfigurationOptions.Parse(sp.GetRequiredService<IOptions<RedisOptions>>().Value.Configuration!);
            options.AbortOnConnectFail = false;
            options.ClientName ??= "teleclaude-" + sp.GetRequiredService<IOptions<DaemonOptions>>().Value.ComputerName;
            var security = sp.GetService<Security.RedisConnectionSecurity>();
            security?.Configure(options);
            var multiplexer = ConnectionMultiplexer.Connect(options);
            return security?.Watch(multiplexer) ?? multiplexer;
        });
        services.TryAddSingleton<PeerDirectory>();
        services.TryAddSingleton<StreamFollower>();
        services.TryAddSingleton<RedisRemoteDataSource>();
        services.Replace(ServiceDescriptor.Singleton<IRemoteDataSource>(sp => sp.GetRequiredService<RedisRemoteDataSource>()));
        services.AddHostedService<HeartbeatService>();
        services.AddHostedService<SessionEventReceiver>();
        services.AddHostedService<SessionEventEmitter>();
        services.AddHostedService<RequestResponder>();
        return builder;
    }
}
