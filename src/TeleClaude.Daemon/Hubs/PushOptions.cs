namespace TeleClaude.Daemon.Hubs;

/// <summary>Bounds of the pushes to hub clients (section <c>TeleClaude:Pushes</c>).</summary>
internal sealed class PushOptions
{
    public const string SectionName = "TeleClaude:Pushes";

    /// <summary>
    /// Pushes one client may have waiting (queued or being written). A client that falls this far behind is disconnected
    /// with a log line; it reconnects, resubscribes and gets the full state.
    /// </summary>
    public int MaxQueuedPerClient { get; set; } = 1_000;

    /// <summary>The same bound in bytes (as serialized for the client's protocol): a few huge pushes weigh like many small ones.</summary>
    public long MaxQueuedBytesPerClient { get; set; } = 16L * 1024 * 1024;

    /// <summary>Pushes all clients together may have waiting; past it, the client furthest behind is disconnected.</summary>
    public int MaxQueued { get; set; } = 10_000;

    /// <summary>At shutdown, how long clients get to receive what is queued for them before the rest is cancelled.</summary>
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
