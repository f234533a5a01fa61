namespace TeleClaude.Daemon.Hubs;

/// <summary>Counters shown by the diagnostics endpoint.</summary>
internal sealed class HubCounters
{
    private long _pushes;
    private long _pushFailures;
    private long _fullStates;
    private long _refreshes;
    private long _slowPushes;

    public void Pushed() => Interlocked.Increment(ref _pushes);

    public void PushFailed() => Interlocked.Increment(ref _pushFailures);

    public void FullStateSent() => Interlocked.Increment(ref _fullStates);

    public void Refreshed() => Interlocked.Increment(ref _refreshes);

    /// <summary>A group send that did not finish within the slow-client wait (some connection is not reading).</summary>
    public void SlowPush() => Interlocked.Increment(ref _slowPushes);

    public IReadOnlyDictionary<string, long> Snapshot(long cachePulls) => new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["pushes"] = Interlocked.Read(ref _pushes),
        ["push_failures"] = Interlocked.Read(ref _pushFailures),
        ["full_states"] = Interlocked.Read(ref _fullStates),
        ["refreshes"] = Interlocked.Read(ref _refreshes),
        ["slow_pushes"] = Interlocked.Read(ref _slowPushes),
        ["cache_pulls"] = cachePulls,
    };
}
