using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Computers;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Projects;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Caching;

/// <summary>
/// Serves every read instantly. Remote data lives in an <see cref="IMemoryCache"/> with a per-category
/// TTL that marks entries stale; a stale entry is still served while one coalesced background pull
/// replaces it. Computers go offline on time through a timer per computer, because IMemoryCache only
/// notices expiry when it is touched. Local sessions come from SQLite and local projects from disk.
/// Every change is published on <see cref="Changes"/>.
/// </summary>
internal sealed partial class DaemonCache : IDisposable
{
    private readonly MemoryCache _memory;
    private readonly TimeProvider _time;
    private readonly CacheOptions _options;
    private readonly IRemoteDataSource _remote;
    private readonly SessionStore _store;
    private readonly ProjectCatalog _projects;
    private readonly LocalComputer _local;
    private readonly ILogger<DaemonCache> _logger;
    private readonly CancellationTokenSource _disposed = new();
    private readonly ConcurrentDictionary<string, CacheCategory> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ITimer> _offlineTimers = new(StringComparer.Ordinal);
    private readonly Lock _sessionsLock = new();
    private readonly PullCoalescer _pulls;

    public DaemonCache(
        IOptions<CacheOptions> options,
        TimeProvider time,
        IRemoteDataSource remote,
        SessionStore store,
        ProjectCatalog projects,
        LocalComputer local,
        CacheChangeFeed changes,
        ILogger<DaemonCache> logger)
    {
        _options = options.Value;
        _time = time;
        _remote = remote;
        _store = store;
        _projects = projects;
        _local = local;
        _logger = logger;
        Changes = changes;
        _memory = new MemoryCache(new MemoryCacheOptions { Clock = new TimeProviderClock(time) });
        _pulls = new PullCoalescer(time, _options.PullTimeout, logger, _disposed.Token);
    }

    /// <summary>The on_change stream.</summary>
    public CacheChangeFeed Changes { get; }

    /// <summary>Background pulls started so far (coalesced requests count once).</summary>
    public long RefreshCount => _pulls.Started;

    public string LocalComputerName => _local.Name;

    // ---------------------------------------------------------------- diagnostics

    public IReadOnlyList<CacheCategoryDiagnostics> Diagnostics()
    {
        var now = _time.GetUtcNow();
        return Enum.GetValues<CacheCategory>().Select(category =>
        {
            var ttl = Ttl(category);
            var entries = _keys.Where(k => k.Value == category)
                .Select(k => (k.Key, Entry: _memory.Get(k.Key) as IEntry))
                .Where(e => e.Entry is not null)
                .Select(e => new CacheEntryDiagnostics(e.Key, now - e.Entry!.StoredAt, ttl is { } t && now - e.Entry.StoredAt >= t))
                .OrderBy(e => e.Key, StringComparer.Ordinal)
                .ToArray();
            return new CacheCategoryDiagnostics(category.Name(), ttl, entries);
        }).ToArray();
    }

    public void Dispose()
    {
        _disposed.Cancel();
        foreach (var timer in _offlineTimers.Values)
        {
            timer.Dispose();
        }

        _memory.Dispose();
        _disposed.Dispose();
    }

    // ---------------------------------------------------------------- storage helpers

    private TimeSpan? Ttl(CacheCategory category) => category switch
    {
        CacheCategory.Computers => _options.ComputerTtl,
        CacheCategory.RemoteProjects => _options.RemoteProjectsTtl,
        CacheCategory.Todos => _options.TodosTtl,
        _ => null,
    };

    private bool IsStale(IEntry entry, TimeSpan ttl) => _time.GetUtcNow() - entry.StoredAt >= ttl;

    private Entry<T>? Get<T>(string key) where T : class =>
        _memory.TryGetValue(key, out Entry<T>? entry) ? entry : null;

    private void Set<T>(CacheCategory category, string key, T value) where T : class
    {
        // Value first, then index: an eviction callback of an older entry of this key then sees the new value.
        _memory.Set(key, new Entry<T>(value, _time.GetUtcNow()), EntryOptions());
        _keys[key] = category;
    }

    private MemoryCacheEntryOptions EntryOptions()
    {
        // The TTL only marks an entry stale (it is still served); eviction bounds memory for peers that vanished.
        var options = new MemoryCacheEntryOptions { SlidingExpiration = _options.EvictUnusedAfter };
        options.RegisterPostEvictionCallback(static (key, _, reason, state) =>
        {
            // Only entries unused for EvictUnusedAfter leave the index; a key removed by a refresh stays indexed
            // (readers skip keys without a value) so a pull that stores it again cannot race the callback.
            // Callbacks run later on the thread pool: drop the index entry only if no newer value was set since.
            var cache = (DaemonCache)state!;
            if (reason is EvictionReason.Expired or EvictionReason.Capacity && !cache._memory.TryGetValue(key, out _))
            {
                cache._keys.TryRemove((string)key, out CacheCategory _);
            }
        }, this);
        return options;
    }

    internal static string ComputerKey(string computer) => $"computers:{computer}";

    internal static string RemoteProjectsKey(string computer) => $"remote_projects:{computer}";

    internal static string RemoteSessionsKey(string computer) => $"remote_sessions:{computer}";

    internal static string TodosKey(string computer, string projectPath) => $"todos:{computer}:{projectPath}";

    private interface IEntry
    {
        DateTimeOffset StoredAt { get; }
    }

    private sealed record Entry<T>(T Value, DateTimeOffset StoredAt) : IEntry;

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Computer {Computer} went offline (last heartbeat {LastSeen:O}).")]
    private partial void LogComputerOffline(string computer, DateTimeOffset lastSeen);
}
