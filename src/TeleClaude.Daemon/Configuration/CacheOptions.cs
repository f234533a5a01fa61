namespace TeleClaude.Daemon.Configuration;

/// <summary>Time to live per cache category (section <c>TeleClaude:Cache</c>).</summary>
internal sealed class CacheOptions
{
    public const string SectionName = "TeleClaude:Cache";

    /// <summary>A computer whose heartbeat is older than this goes offline.</summary>
    public TimeSpan ComputerTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Remote project lists are re-pulled when older than this.</summary>
    public TimeSpan RemoteProjectsTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Remote todo lists are re-pulled when older than this.</summary>
    public TimeSpan TodosTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest wait for one pull from one remote computer; a refresh (the TUI's 'r') waits at most this long.</summary>
    public TimeSpan PullTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// On the first subscription to a view, how long Subscribe waits for the initial pulls from peers before it
    /// sends the full state; what arrives later is pushed. A dead peer never delays a subscribe longer than this.
    /// </summary>
    public TimeSpan SubscribeWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Entries unread and unrefreshed for this long are dropped (memory bound for vanished peers).</summary>
    public TimeSpan EvictUnusedAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Changes each subscriber of the change feed (the hub's push loop, the Redis emitter, ...) may hold unread. One that
    /// falls this far behind skips changes until it has caught up and then resyncs from the current state.
    /// </summary>
    public int ChangeFeedCapacity { get; set; } = Caching.CacheChangeFeed.DefaultCapacity;
}
