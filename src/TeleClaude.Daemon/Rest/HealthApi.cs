using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Agents;
using TeleClaude.Daemon.Caching;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Hubs;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.Daemon.Rest;

/// <summary>/health and the hub diagnostics endpoint.</summary>
internal static class HealthApi
{
    private static readonly string Version =
        typeof(HealthApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", Health).WithTags("Health").AllowAnonymous();
        routes.MapGet("/diagnostics/hub", HubDiagnostics).WithTags("Health");
        return routes;
    }

    private static Ok<HealthReport> Health(DaemonCache cache, DaemonClock clock, IOptions<RedisOptions> redis) =>
        TypedResults.Ok(new HealthReport("ok", cache.LocalComputerName, Version, clock.StartedAt, redis.Value.Enabled));

    private static Ok<HubDiagnostics> HubDiagnostics(InterestManager interest, DaemonCache cache, HubCounters hub, RedisCounters redis, AgentCounters agents)
    {
        var counters = new Dictionary<string, long>(hub.Snapshot(cache.RefreshCount), StringComparer.Ordinal);
        foreach (var (name, value) in redis.All.Concat(agents.All))
        {
            counters[name] = value;
        }

        return TypedResults.Ok(new HubDiagnostics(interest.SubscriberCounts, interest.InterestedIn, cache.Diagnostics(), counters));
    }
}

/// <summary>When this daemon started.</summary>
internal sealed class DaemonClock(TimeProvider time)
{
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();
}
