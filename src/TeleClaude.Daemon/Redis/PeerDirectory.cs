using System.Collections.Concurrent;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// The latest heartbeat of every peer, as heard on the heartbeat channel or found by the periodic scan.
/// The event emitter asks it which peers want session events: no Redis call per event.
/// </summary>
internal sealed class PeerDirectory(DaemonCache cache, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Heartbeat> _peers = new(StringComparer.Ordinal);

    /// <summary>Records a peer's heartbeat and tells the cache (which puts it online and restarts its TTL).</summary>
    public void Observe(Heartbeat heartbeat)
    {
        if (heartbeat.ComputerName == cache.LocalComputerName)
        {
            return;
        }

        // The same heartbeat read again (the periodic scan after the pub/sub message, or the key a stopped peer
        // left behind) is no sign of life: it must not restart the computer TTL. A peer that does not say when it
        // wrote its heartbeat is alive for as long as its key exists (its own EX), then for one computer TTL.
        if (heartbeat.LastSeen is not null && _peers.TryGetValue(heartbeat.ComputerName, out var known) && known.LastSeen == heartbeat.LastSeen)
        {
            return;
        }

        _peers.AddOrUpdate(heartbeat.ComputerName, heartbeat, (_, old) => heartbeat.LastSeen is null || old.LastSeen is null || heartbeat.LastSeen >= old.LastSeen ? heartbeat : old);
        cache.UpsertComputer(new ComputerInfo(
            heartbeat.ComputerName, ComputerStatus.Online, heartbeat.LastSeen ?? time.GetUtcNow(), heartbeat.User, heartbeat.Host, heartbeat.Stats, IsLocal: false));
    }

    public Heartbeat? Get(string computer) => _peers.GetValueOrDefault(computer);

    /// <summary>Online peers whose latest heartbeat advertises interest in <paramref name="view"/>.</summary>
    public IReadOnlyList<string> InterestedPeers(string view)
    {
        var online = cache.OnlineRemoteComputers();
        return online.Where(name => _peers.TryGetValue(name, out var heartbeat) && heartbeat.IsInterestedIn(view)).ToArray();
    }
}
