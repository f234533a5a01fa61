namespace TeleClaude.Daemon.Caching;

/// <summary>The cached categories of the seed's table; local sessions and projects are never cached.</summary>
internal enum CacheCategory
{
    Computers,
    RemoteProjects,
    RemoteSessions,
    Todos,
}

internal static class CacheCategoryNames
{
    public static string Name(this CacheCategory category) => category switch
    {
        CacheCategory.Computers => "computers",
        CacheCategory.RemoteProjects => "remote_projects",
        CacheCategory.RemoteSessions => "remote_sessions",
        CacheCategory.Todos => "todos",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, null),
    };
}
