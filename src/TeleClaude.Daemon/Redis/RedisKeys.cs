using StackExchange.Redis;

namespace TeleClaude.Daemon.Redis;

/// <summary>Every Redis key, stream and channel name of the wire contract, built in one place.</summary>
internal static class RedisKeys
{
    /// <summary>Pattern of every heartbeat key, for SCAN.</summary>
    public const string HeartbeatPattern = "computer:*:heartbeat";

    /// <summary>
    /// Pub/sub channel on which this daemon also publishes its heartbeat: an accelerator between TeleClaude daemons, so
    /// a change of interest reaches them at once. Nothing depends on it: peers are also found by scanning the keys.
    /// </summary>
    public static readonly RedisChannel HeartbeatChannel = RedisChannel.Literal("teleclaude:heartbeats");

    public static RedisKey Heartbeat(string computer) => $"computer:{computer}:heartbeat";

    /// <summary>The computer name inside a heartbeat key, or null for a key of another shape.</summary>
    public static string? ComputerOfHeartbeat(string key) =>
        key.StartsWith("computer:", StringComparison.Ordinal) && key.EndsWith(":heartbeat", StringComparison.Ordinal) && key.Length > 19
            ? key["computer:".Length..^":heartbeat".Length]
            : null;

    public static RedisKey SessionEvents(string computer) => $"session_events:{computer}";

    public static RedisKey Messages(string computer) => $"messages:{computer}";

    public static RedisKey Output(string requestId) => $"output:{requestId}";

    /// <summary>
    /// The screens of a session that other computers watch, written by its owner while a watcher's lease lives
    /// (bounded with MAXLEN, expiring); see <see cref="ScreenPublisher"/>.
    /// </summary>
    public static RedisKey Screen(string owner, string sessionId) => $"screen:{owner}:{sessionId}";
}
