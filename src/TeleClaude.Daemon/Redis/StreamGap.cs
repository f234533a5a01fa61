namespace TeleClaude.Daemon.Redis;

/// <summary>Entries of <see cref="Stream"/> after the follower's position may have been lost, for <see cref="Reason"/>.</summary>
/// <param name="Stream">The stream key.</param>
/// <param name="Reason">What was seen (trimmed, gone, recreated, Redis restarted), for the log.</param>
internal sealed record StreamGap(string Stream, string Reason);
