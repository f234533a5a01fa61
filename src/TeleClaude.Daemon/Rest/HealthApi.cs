using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Agents;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Hubs;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.Daemon.Rest;

/// <summary>/health and the hub diagnostics endpoint.</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", Health).WithTags("Health").AllowAnonymous();
        routes.MapGet("/diagnostics/hub", HubDiagnostics).WithTags("Health");
        return routes;
    }

    /// <summary>
    /// Always 200 while the daemon answers (clients use it to see that the daemon is there); the body says "degraded" and
    /// lists what fails, from every registered health check (storage, ...), while a part of it does not work.
    /// </summary>
    private static async Task<Ok<Contracts.HealthReport>> Health(
        DaemonCache cache, DaemonClock clock, IOptions<RedisOptions> redis, HealthCheckService checks, CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(cancellationToken);
        var problems = report.Entries
            .Where(e => e.Value.Status != HealthStatus.Healthy)
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new HealthProblem(
                e.Key,
                e.Value.Description ?? e.Value.Exception?.Message ?? e.Value.Status.ToString(),
                e.Value.Data.TryGetValue("since", out var since) && since is DateTimeOffset at ? at : null))
            .ToArray();
        return TypedResults.Ok(new Contracts.HealthReport(
            problems.Length == 0 ? "ok" : "degraded", cache.LocalComputerName, CommandLine.BuildInfo.Version, clock.StartedAt, redis.Value.Enabled, problems,
            ContractVersion.Current));
    }

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
