using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TeleClaude.Daemon.Storage;

/// <summary>/health's view of storage: degraded, with the reason and since when, while writes fail.</summary>
internal sealed class StorageHealthCheck(StorageHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(health.Problem is { } problem
            ? HealthCheckResult.Degraded(problem.Describe(health.DatabasePath), data: new Dictionary<string, object> { ["since"] = problem.Since })
            : HealthCheckResult.Healthy());
}
