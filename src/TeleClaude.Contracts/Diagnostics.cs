namespace TeleClaude.Contracts;

/// <summary>Answer of <c>GET /diagnostics/hub</c>.</summary>
/// <param name="Groups">Connections per view group.</param>
/// <param name="InterestedIn">Views with at least one subscriber: what the heartbeat advertises.</param>
/// <param name="Cache">Cache entries per category.</param>
/// <param name="Counters">Counters of pushes, refreshes and skipped input.</param>
public sealed record HubDiagnostics(
    IReadOnlyDictionary<string, int> Groups,
    IReadOnlyList<string> InterestedIn,
    IReadOnlyList<CacheCategoryDiagnostics> Cache,
    IReadOnlyDictionary<string, long> Counters);

/// <summary>Cache state of one category.</summary>
/// <param name="Category">Category name (computers, remote_projects, remote_sessions, todos).</param>
/// <param name="Ttl">Time to live of its entries; null when they never expire.</param>
/// <param name="Entries">Its entries.</param>
public sealed record CacheCategoryDiagnostics(string Category, TimeSpan? Ttl, IReadOnlyList<CacheEntryDiagnostics> Entries);

/// <summary>One cache entry.</summary>
/// <param name="Key">Entry key.</param>
/// <param name="Age">Time since it was stored.</param>
/// <param name="Stale">True when older than its TTL (served while a refresh runs).</param>
public sealed record CacheEntryDiagnostics(string Key, TimeSpan Age, bool Stale);
