namespace TeleClaude.Daemon.Hubs;

/// <summary>Counters shown by the diagnostics endpoint.</summary>
internal sealed class HubCounters
{
    private long _pushes;
    private long _pushFailures;
    private long _fullStates;
    private long _refreshes;
    private long _inFlight;

    public void PushStarted() => Interlocked.Increment(ref _inFlight);

    public void PushFinished(bool faulted)
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref faulted ? ref _pushFailures : ref _pushes);
    }

    public void FullStateSent() => Interlocked.Increment(ref _fullStates);

    public void Refreshed() => Interlocked.Increment(ref _refreshes);

    public IReadOnlyDictionary<string, long> Snapshot(long cachePulls) => new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["pushes"] = Interlocked.Read(ref _pushes),
        ["push_failures"] = Interlocked.Read(ref _pushFailures),
        ["full_states"] = Interlocked.Read(ref _fullStates),
        ["refreshes"] = Interlocked.Read(ref _refreshes),
        ["pushes_in_flight"] = Interlocked.Read(ref _inFlight),
        ["cache_pulls"] = cachePulls,
    };
}
