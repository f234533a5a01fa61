using System.Collections.Concurrent;
using System.Collections.Immutable;
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
    private readonly ConcurrentDictionary<string, Lazy<Task>> _inflight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ITimer> _offlineTimers = new(StringComparer.Ordinal);
    private readonly Lock _sessionsLock = new();
    private long _refreshes;

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
    }

    /// <summary>The on_change stream.</summary>
    public CacheChangeFeed Changes { get; }

    /// <summary>Background pulls started so far (coalesced requests count once).</summary>
    public long RefreshCount => Interlocked.Read(ref _refreshes);

    public string LocalComputerName => _local.Name;

    // ---------------------------------------------------------------- computers

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

    // ---------------------------------------------------------------- sessions

    /// <summary>Local sessions straight from SQLite, then the cached sessions of every remote computer.</summary>
    public async Task<IReadOnlyList<SessionInfo>> GetSessionsAsync(CancellationToken cancellationToken)
    {
        var local = await _store.ListAsync(includeTerminated: false, cancellationToken);
        var remote = new List<ImmutableDictionary<string, SessionInfo>>();
        var count = local.Count;
        foreach (var (key, category) in _keys)
        {
            if (category == CacheCategory.RemoteSessions && _memory.TryGetValue(key, out Entry<ImmutableDictionary<string, SessionInfo>>? entry) && entry is not null)
            {
                remote.Add(entry.Value);
                count += entry.Value.Count;
            }
        }

        // Sized once: growing by doubling through thousands of sessions allocates about three times the final list.
        var sessions = new List<SessionInfo>(count);
        sessions.AddRange(local);
        foreach (var computer in remote)
        {
            sessions.AddRange(computer.Values);
        }

        return sessions;
    }

    /// <summary>A session on another computer, from the cache; null when unknown.</summary>
    public SessionInfo? FindRemoteSession(string sessionId)
    {
        foreach (var (key, category) in _keys)
        {
            if (category == CacheCategory.RemoteSessions && _memory.TryGetValue(key, out Entry<ImmutableDictionary<string, SessionInfo>>? entry)
                && entry is not null && entry.Value.TryGetValue(sessionId, out var session))
            {
                return session;
            }
        }

        return null;
    }

    /// <summary>Publishes a change to a local session (already written to SQLite by the command handler).</summary>
    public void PublishLocalSession(string eventName, SessionInfo session, string? detail = null) =>
        Changes.Publish(new SessionChanged(eventName, session, detail));

    /// <summary>Replaces a remote computer's sessions with a pulled list of complete sessions (their null fields count as unknown).</summary>
    public void ReplaceRemoteSessions(string computer, IReadOnlyList<SessionInfo> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ReplaceRemoteSessions(computer, sessions.Select(SessionPatch.Known).ToArray());
    }

    /// <summary>
    /// Replaces a remote computer's sessions with a pulled list and publishes what changed. Each listed session is
    /// merged onto the cached one (fields the peer left out keep their value); cached sessions not listed have ended.
    /// </summary>
    public void ReplaceRemoteSessions(string computer, IReadOnlyList<SessionPatch> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ImmutableDictionary<string, SessionInfo> previous, incoming;
        lock (_sessionsLock)
        {
            previous = RemoteSessions(computer);
            var builder = ImmutableDictionary.CreateBuilder<string, SessionInfo>(StringComparer.Ordinal);
            foreach (var patch in sessions)
            {
                var merged = Stamp(patch.ApplyTo(previous.GetValueOrDefault(patch.SessionId)), computer);
                if (merged.Status == SessionStatus.Terminated)
                {
                    builder.Remove(merged.SessionId);
                }
                else
                {
                    builder[merged.SessionId] = merged;
                }
            }

            incoming = builder.ToImmutable();
            Set(CacheCategory.RemoteSessions, RemoteSessionsKey(computer), incoming);
        }

        foreach (var (id, session) in incoming)
        {
            if (!previous.TryGetValue(id, out var old))
            {
                Changes.Publish(new SessionChanged(SessionEventNames.NewSession, session));
            }
            else if (old != session)
            {
                Changes.Publish(new SessionChanged(SessionEventNames.SessionUpdated, session));
            }
        }

        foreach (var (id, session) in previous)
        {
            if (!incoming.ContainsKey(id))
            {
                Changes.Publish(new SessionChanged(SessionEventNames.SessionTerminated, session with { Status = SessionStatus.Terminated }));
            }
        }
    }

    /// <summary>Applies a session event carrying a complete session (its null fields count as unknown).</summary>
    public SessionInfo? ApplyRemoteSessionEvent(string eventName, SessionInfo session, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        return ApplyRemoteSessionEvent(eventName, SessionPatch.Known(session), detail);
    }

    /// <summary>
    /// Applies a session event from a remote computer: the (possibly partial) session is merged onto the cached one,
    /// and the result is published. Duplicates and replays that change nothing publish nothing. Returns the merged
    /// session, or null when the event ended a session this cache never knew.
    /// </summary>
    public SessionInfo? ApplyRemoteSessionEvent(string eventName, SessionPatch patch, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(patch);
        SessionInfo merged;
        lock (_sessionsLock)
        {
            var current = RemoteSessions(patch.Computer);
            var known = current.GetValueOrDefault(patch.SessionId);
            merged = patch.ApplyTo(known);
            var ended = eventName == SessionEventNames.SessionTerminated || merged.Status == SessionStatus.Terminated;
            if (ended)
            {
                merged = merged with { Status = SessionStatus.Terminated };
                if (known is null)
                {
                    // The end of a session this cache never held (a replay, or a duplicate): nothing to tell anyone.
                    return null;
                }
            }
            else if (eventName is SessionEventNames.NewSession or SessionEventNames.SessionUpdated && known == merged)
            {
                // A replayed or duplicate event that changes nothing: nothing to store or push.
                return merged;
            }

            var next = ended ? current.Remove(patch.SessionId) : current.SetItem(patch.SessionId, merged);
            Set(CacheCategory.RemoteSessions, RemoteSessionsKey(patch.Computer), next);
        }

        Changes.Publish(new SessionChanged(eventName, merged, detail));
        return merged;
    }

    private static SessionInfo Stamp(SessionInfo session, string computer) =>
        session.Computer == computer ? session : session with { Computer = computer };

    private ImmutableDictionary<string, SessionInfo> RemoteSessions(string computer) =>
        _memory.TryGetValue(RemoteSessionsKey(computer), out Entry<ImmutableDictionary<string, SessionInfo>>? entry) && entry is not null
            ? entry.Value
            : ImmutableDictionary<string, SessionInfo>.Empty.WithComparers(StringComparer.Ordinal);

    // ---------------------------------------------------------------- projects and todos

    /// <summary>Local projects from disk, then cached remote projects; stale or missing remote lists are pulled in the background.</summary>
    public IReadOnlyList<ProjectInfo> GetProjects()
    {
        var projects = new List<ProjectInfo>(_projects.List());
        foreach (var computer in OnlineRemoteComputers())
        {
            projects.AddRange(GetRemoteProjects(computer));
        }

        return projects;
    }

    /// <summary>A remote computer's cached projects (possibly stale; a pull is then started). Empty until the first pull lands.</summary>
    public IReadOnlyList<ProjectInfo> GetRemoteProjects(string computer)
    {
        var key = RemoteProjectsKey(computer);
        var entry = Get<IReadOnlyList<ProjectInfo>>(key);
        if (entry is null || IsStale(entry, _options.RemoteProjectsTtl))
        {
            _ = RefreshRemoteProjects(computer);
        }

        return entry?.Value ?? [];
    }

    /// <summary>Todos of a project: read from disk when local; cached (stale-while-refresh) when remote.</summary>
    public async Task<IReadOnlyList<TodoInfo>> GetTodosAsync(string computer, string projectPath, CancellationToken cancellationToken)
    {
        if (string.Equals(computer, _local.Name, StringComparison.Ordinal))
        {
            var project = _projects.Find(projectPath);
            return project is null ? [] : await _projects.ReadTodosAsync(project, cancellationToken);
        }

        var entry = Get<IReadOnlyList<TodoInfo>>(TodosKey(computer, projectPath));
        if (entry is null || IsStale(entry, _options.TodosTtl))
        {
            _ = RefreshTodos(computer, projectPath);
        }

        return entry?.Value ?? [];
    }

    private Task RefreshRemoteProjects(string computer) =>
        Coalesce(RemoteProjectsKey(computer), async ct =>
        {
            var projects = (await _remote.FetchProjectsAsync(computer, ct)).Select(p => p with { Computer = computer }).ToArray();
            Set<IReadOnlyList<ProjectInfo>>(CacheCategory.RemoteProjects, RemoteProjectsKey(computer), projects);
            Changes.Publish(new ProjectsChanged(new ProjectsUpdate(computer, projects)));
        });

    private Task RefreshTodos(string computer, string projectPath) =>
        Coalesce(TodosKey(computer, projectPath), async ct =>
        {
            var todos = await _remote.FetchTodosAsync(computer, projectPath, ct);
            Set(CacheCategory.Todos, TodosKey(computer, projectPath), todos);
            Changes.Publish(new TodosChanged(new TodosUpdate(computer, projectPath, todos)));
        });

    /// <summary>Pulls a computer's sessions and replaces the cached ones (coalesced).</summary>
    public Task RefreshRemoteSessions(string computer) =>
        Coalesce(RemoteSessionsKey(computer), async ct => ReplaceRemoteSessions(computer, await _remote.FetchSessionsAsync(computer, ct)));

    /// <summary>
    /// Pulls the sessions of every online remote computer again (coalesced with pulls already running), e.g. after
    /// entries of the event stream were lost; returns when all pulls finished or timed out.
    /// </summary>
    public Task RefreshAllRemoteSessions() => Task.WhenAll(OnlineRemoteComputers().Select(RefreshRemoteSessions));

    // ---------------------------------------------------------------- refresh ('r')

    /// <summary>
    /// Invalidates what a view shows and pulls it again from every online remote, in parallel;
    /// returns when all pulls finished or timed out (each is bounded by the pull timeout).
    /// </summary>
    public Task RefreshAsync(string view)
    {
        var remotes = OnlineRemoteComputers();
        var pulls = new List<Task>();
        if (view == Views.Sessions)
        {
            pulls.AddRange(remotes.Select(RefreshRemoteSessions));
        }
        else if (view == Views.Preparation)
        {
            foreach (var (key, category) in _keys)
            {
                if (category is CacheCategory.RemoteProjects or CacheCategory.Todos)
                {
                    _memory.Remove(key);
                }
            }

            pulls.AddRange(remotes.Select(RefreshRemoteProjectsAndTodos));
        }
        else
        {
            throw new ArgumentException($"Unknown view '{view}'. Known views: {string.Join(", ", Views.All)}.", nameof(view));
        }

        return Task.WhenAll(pulls);
    }

    /// <summary>Pulls a computer's projects, then all their todos in parallel.</summary>
    public async Task RefreshRemoteProjectsAndTodos(string computer)
    {
        await RefreshRemoteProjects(computer);
        var projects = Get<IReadOnlyList<ProjectInfo>>(RemoteProjectsKey(computer))?.Value ?? [];
        await Task.WhenAll(projects.Select(p => RefreshTodos(computer, p.Path)));
    }

    /// <summary>Runs one pull per key at a time: callers asking while it runs share it. Faults are logged, never thrown.</summary>
    private Task Coalesce(string key, Func<CancellationToken, Task> pull)
    {
        var lazy = new Lazy<Task>(() => RunPullAsync(key, pull), LazyThreadSafetyMode.ExecutionAndPublication);
        var winner = _inflight.GetOrAdd(key, lazy);
        var task = winner.Value;
        if (ReferenceEquals(winner, lazy))
        {
            _ = task.ContinueWith(
                static (_, state) =>
                {
                    var (cache, key, lazy) = ((DaemonCache, string, Lazy<Task>))state!;
                    cache._inflight.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, lazy));
                },
                (this, key, lazy),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return task;
    }

    private async Task RunPullAsync(string key, Func<CancellationToken, Task> pull)
    {
        // Never run a pull on the reader's thread: reads return before any I/O starts.
        await Task.Yield();
        Interlocked.Increment(ref _refreshes);
        // The deadline runs on the injected TimeProvider, like every other time in the cache.
        using var deadline = new CancellationTokenSource(_options.PullTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token, deadline.Token);
        try
        {
            await pull(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            if (!_disposed.IsCancellationRequested)
            {
                LogPullTimedOut(key, _options.PullTimeout);
            }
        }
        catch (Exception ex)
        {
            LogPullFailed(key, ex);
        }
    }

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

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Pull {Key} timed out after {Timeout}; the cached value stays.")]
    private partial void LogPullTimedOut(string key, TimeSpan timeout);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Pull {Key} failed; the cached value stays.")]
    private partial void LogPullFailed(string key, Exception exception);
}
