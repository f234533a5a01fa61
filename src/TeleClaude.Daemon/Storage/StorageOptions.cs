namespace TeleClaude.Daemon.Storage;

/// <summary>How the daemon watches its storage (section <c>TeleClaude:Storage</c>).</summary>
internal sealed class StorageOptions
{
    public const string SectionName = "TeleClaude:Storage";

    /// <summary>
    /// While writes fail (disk full, read-only), a small test write is retried with backoff, at most this long apart, so
    /// /health says ok again soon after the cause is fixed even when nothing else writes.
    /// </summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(5);
}
