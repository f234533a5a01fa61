using StackExchange.Redis;

namespace TeleClaude.Daemon.Redis;

/// <summary>Waking the blocked read when the set of streams changes.</summary>
internal sealed partial class StreamFollower
{
    /// <summary>
    /// Wakes the blocked read so it is re-issued with the current set of streams. <c>CLIENT UNBLOCK</c> answers 0 when
    /// the read has not reached the server yet (it travels on another connection); then it is tried again shortly,
    /// for as long as that same read is in flight, up to <see cref="WakeRetryLimit"/>.
    /// </summary>
    private async Task WakeAsync()
    {
        var read = Volatile.Read(ref _inFlight);
        if (read is null || read.ClientId is not { } clientId || read.Version >= Interlocked.Read(ref _version)
            || Interlocked.Exchange(ref read.WakeRequested, 1) == 1)
        {
            return;
        }

        var delay = TimeSpan.FromMilliseconds(1);
        var giveUpAt = _time.GetUtcNow() + WakeRetryLimit;
        while (ReferenceEquals(Volatile.Read(ref _inFlight), read) && _time.GetUtcNow() < giveUpAt)
        {
            try
            {
                if ((long)await _shared.GetDatabase().ExecuteAsync("CLIENT", "UNBLOCK", clientId) == 1)
                {
                    _counters.Increment(RedisCounters.ReaderWakeups);
                    return;
                }
            }
            catch (RedisServerException ex)
            {
                // Refused (an ACL without CLIENT UNBLOCK): read with short blocks from now on; this read ends soon or
                // within its block time.
                if (_clientId is not null)
                {
                    _clientId = null;
                    LogCannotWake(ex.Message, UnwakeableBlock);
                }

                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Redis trouble: the blocked read fails or runs out on its own and the next one has the new set.
                LogWakeFailed(ex.Message);
                return;
            }

            await Task.Delay(delay, _time);
            delay = Min(delay * 2, TimeSpan.FromMilliseconds(50));
        }

        if (ReferenceEquals(Volatile.Read(ref _inFlight), read))
        {
            LogWakeGaveUp(WakeRetryLimit);
        }
    }

    private sealed class InFlightRead(long version, long? clientId)
    {
        public long Version { get; } = version;

        public long? ClientId { get; } = clientId;

        public int WakeRequested;
    }
}
