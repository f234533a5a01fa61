using System.Collections.Immutable;
using Microsoft.Extensions.Caching.Memory;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Caching;

/// <summary>Computers: this one, and remote ones kept by heartbeat, offline on time through a timer per computer.</summary>
internal sealed partial class DaemonCache
{
    /// <summary>This computer first, then every remote computer seen, online or offline, by name.</summary>
    public IReadOnlyList<ComputerInfo> GetComputers()
    {
        var computers = new List<ComputerInfo> { _local.Current };
        foreach (var (key, category) in _keys)
        {
            if (category == CacheCategory.Computers && _memory.TryGetValue(key, out Entry<ComputerInfo>? entry) && entry is not null)
            {
                computers.Add(entry.Value);
            }
        }

        computers.Sort(static (a, b) => (a.IsLocal, b.IsLocal) switch
        {
            (true, false) => -1,
            (false, true) => 1,
            _ => string.CompareOrdinal(a.Name, b.Name),
        });
        return computers;
    }

    /// <summary>The remote computers whose heartbeat is fresh.</summary>
    public IReadOnlyList<string> OnlineRemoteComputers() =>
        GetComputers().Where(c => !c.IsLocal && c.Status == ComputerStatus.Online).Select(c => c.Name).ToArray();

    public void UpdateLocalComputer(ComputerInfo local) => Changes.Publish(new ComputerChanged(local));

    /// <summary>Stores a remote heartbeat; the computer goes offline when no other arrives within the computer TTL.</summary>
    public void UpsertComputer(ComputerInfo heartbeat)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        if (string.Equals(heartbeat.Name, _local.Name, StringComparison.Ordinal))
        {
            return;
        }

        var online = heartbeat with { Status = ComputerStatus.Online, IsLocal = false };
        Set(CacheCategory.Computers, ComputerKey(online.Name), online);
        var timer = _offlineTimers.GetOrAdd(online.Name, name => _time.CreateTimer(
            static state => ((DaemonCache)((object[])state!)[0]).MarkOfflineIfExpired((string)((object[])state!)[1]),
            new object[] { this, name },
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan));
        timer.Change(_options.ComputerTtl, Timeout.InfiniteTimeSpan);
        Changes.Publish(new ComputerChanged(online));
    }

    private void MarkOfflineIfExpired(string name)
    {
        if (!_memory.TryGetValue(ComputerKey(name), out Entry<ComputerInfo>? entry) || entry is null || entry.Value.Status == ComputerStatus.Offline)
        {
            return;
        }

        var age = _time.GetUtcNow() - entry.StoredAt;
        if (age < _options.ComputerTtl)
        {
            // A heartbeat raced the timer; wait for the rest of its TTL.
            _offlineTimers.GetValueOrDefault(name)?.Change(_options.ComputerTtl - age, Timeout.InfiniteTimeSpan);
            return;
        }

        var offline = entry.Value with { Status = ComputerStatus.Offline };
        _memory.Set(ComputerKey(name), entry with { Value = offline }, EntryOptions());
        LogComputerOffline(name, entry.Value.LastSeen);
        Changes.Publish(new ComputerChanged(offline));
    }
}
