namespace TeleClaude.Daemon.Hubs;

/// <summary>Counters shown by the diagnostics endpoint.</summary>
internal sealed class HubCounters
{
    private long _pushes;
    private long _pushFailures;
    private long _fullStates;
    private long _refreshes;
    private long _inFlight;
    private long _inFlightMax;
    private long _written;
    private long _discarded;
    private long _clientsDropped;
    private long _resyncs;

    /// <summary>Pushes waiting for all clients together (queued or being written).</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>A change was handed to the outboxes of the clients that show it.</summary>
    public void Pushed() => Interlocked.Increment(ref _pushes);

    /// <summary>A change could not be pushed (e.g. it did not serialize).</summary>
    public void PushFailed() => Interlocked.Increment(ref _pushFailures);

    /// <summary>One push entered a client's outbox.</summary>
    public void Queued()
    {
        var now = Interlocked.Increment(ref _inFlight);
        var max = Interlocked.Read(ref _inFlightMax);
        while (now > max && Interlocked.CompareExchange(ref _inFlightMax, now, max) != max)
        {
            max = Interlocked.Read(ref _inFlightMax);
        }
    }

    /// <summary>One push was handed to its client's connection (SignalR's transport takes it from there).</summary>
    public void Written()
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _written);
    }

    /// <summary>Pushes thrown away unwritten: their client was dropped or disconnected, or the daemon stopped.</summary>
    public void Discarded(int count)
    {
        Interlocked.Add(ref _inFlight, -count);
        Interlocked.Add(ref _discarded, count);
    }

    public void ClientDropped() => Interlocked.Increment(ref _clientsDropped);

    public void Resynced() => Interlocked.Increment(ref _resyncs);

    public void FullStateSent() => Interlocked.Increment(ref _fullStates);

    public void Refreshed() => Interlocked.Increment(ref _refreshes);

    public IReadOnlyDictionary<string, long> Snapshot(long cachePulls) => new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["pushes"] = Interlocked.Read(ref _pushes),
        ["push_failures"] = Interlocked.Read(ref _pushFailures),
        ["full_states"] = Interlocked.Read(ref _fullStates),
        ["refreshes"] = Interlocked.Read(ref _refreshes),
        ["pushes_in_flight"] = Interlocked.Read(ref _inFlight),
        ["pushes_in_flight_max"] = Interlocked.Read(ref _inFlightMax),
        ["pushes_written"] = Interlocked.Read(ref _written),
        ["pushes_discarded"] = Interlocked.Read(ref _discarded),
        ["clients_dropped"] = Interlocked.Read(ref _clientsDropped),
        ["resyncs"] = Interlocked.Read(ref _resyncs),
        ["cache_pulls"] = cachePulls,
    };
}
