using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Resilience;

namespace TeleClaude.Daemon.Storage;

/// <summary>
/// While storage fails for a reason that can heal (full, read-only, locked), retries a small test write with the shared
/// backoff until it works, so storage health turns ok again on its own. Idle (no I/O at all) while storage is healthy, and
/// for a damaged database, which needs a person.
/// </summary>
internal sealed class StorageProbe(SessionStore store, IOptions<StorageOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var failing = new SemaphoreSlim(0);
        void OnFailing(StorageProblem problem) => failing.Release();
        store.Health.Failing += OnFailing;
        // StorageHealth has logged the failure already; the probe's own attempts would only repeat it.
        var retry = Backoff.Forever("Probing storage", time, NullLogger.Instance, maxDelay: options.Value.ProbeInterval);
        try
        {
            while (true)
            {
                if (store.Health.Problem is null or { Kind: StorageFailureKind.Corrupt })
                {
                    await failing.WaitAsync(stoppingToken);
                    continue;
                }

                await retry.ExecuteAsync(
                    async token =>
                    {
                        if (store.Health.Problem is not null)
                        {
                            await store.ProbeAsync(time.GetUtcNow(), token);
                        }
                    },
                    stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            store.Health.Failing -= OnFailing;
        }
    }
}
