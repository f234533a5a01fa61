using StackExchange.Redis;

namespace TeleClaude.Daemon.Redis;

/// <summary>One followed stream: its position and handler.</summary>
internal sealed partial class StreamFollower
{
    /// <summary>A stream followed by <see cref="StreamFollower"/>; dispose it to stop following.</summary>
    internal sealed class Registration : IDisposable
    {
        private readonly StreamFollower _follower;
        private readonly Func<StreamEntry[], Task> _handle;
        private bool _failing;
        private int _disposed;

        internal Registration(StreamFollower follower, RedisKey stream, string afterId, Func<StreamEntry[], Task> handle, Action<StreamGap>? onGap, string? runId)
        {
            _follower = follower;
            Key = stream.ToString();
            Position = string.IsNullOrEmpty(afterId) ? StreamId.Start : afterId;
            _handle = handle;
            OnGap = onGap;
            RunId = runId;
        }

        public string Key { get; }

        /// <summary>The id of the last entry handed to the handler (only the read loop moves it).</summary>
        public string Position { get; internal set; }

        /// <summary>The server run_id the position refers to.</summary>
        public string? RunId { get; internal set; }

        /// <summary>Set until the read loop has checked this stream for gaps (after registration and after each reconnect).</summary>
        internal bool NeedsCheck { get; set; } = true;

        internal Action<StreamGap>? OnGap { get; }

        /// <summary>The verifier's state for this stream (null when the follower has no verifier).</summary>
        internal StreamGuard? Guard { get; set; }

        internal bool Disposed => Volatile.Read(ref _disposed) == 1;

        internal async Task DeliverAsync(StreamEntry[] entries)
        {
            try
            {
                // Entries the verifier drops (unsigned, forged, stale, replayed with a fleet key) never reach the
                // handler; the position still moves past them.
                var accepted = Guard is { } guard ? _follower._verifier!.Filter(guard, Key, entries) : entries;
                if (accepted.Length > 0)
                {
                    await _handle(accepted);
                }

                if (_failing)
                {
                    _failing = false;
                    _follower.LogHandlerRecovered(Key);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _follower._counters.Increment(RedisCounters.HandlerFailures);
                if (!_failing)
                {
                    _failing = true;
                    _follower.LogHandlerFailed(Key, ex);
                }
            }

            Position = entries[^1].Id.ToString();
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _follower.Remove(this);
            }
        }
    }
}
