using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Hubs;

namespace TeleClaude.Daemon.Rest;

/// <summary>/health and the hub diagnostics endpoint.</summary>
internal static class HealthApi
{
    private static readonly string Version =
        typeof(HealthApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", Health).WithTags("Health");
        routes.MapGet("/diagnostics/hub", HubDiagnostics).WithTags("Health");
        return routes;
    }

    private static Ok<HealthReport> Health(DaemonCache cache, DaemonClock clock, IConfiguration configuration) =>
        TypedResults.Ok(new HealthReport("ok", cache.LocalComputerName, Version, clock.StartedAt, !string.IsNullOrEmpty(configuration["TeleClaude:Redis:Configuration"])));

    private static Ok<HubDiagnostics> HubDiagnostics(InterestManager interest, DaemonCache cache, HubCounters counters) =>
        TypedResults.Ok(new HubDiagnostics(interest.SubscriberCounts, interest.InterestedIn, cache.Diagnostics(), counters.Snapshot(cache.RefreshCount)));
}

/// <summary>When this daemon started.</summary>
internal sealed class DaemonClock(TimeProvider time)
{
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();
}
