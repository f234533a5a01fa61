using System.Collections.Immutable;
using System.Threading.Channels;

namespace TeleClaude.Daemon.Caching;

/// <summary>
/// The cache's on_change stream: every subscriber gets every change in order through its own
/// unbounded channel, so a slow subscriber never blocks the cache or the other subscribers.
/// </summary>
internal sealed class CacheChangeFeed
{
    private ImmutableArray<Channel<CacheChange>> _subscribers = [];

    /// <summary>A new reader that sees every change published from now on.</summary>
    public ChannelReader<CacheChange> Subscribe()
    {
        var channel = Channel.CreateUnbounded<CacheChange>(new UnboundedChannelOptions { SingleReader = true });
        ImmutableInterlocked.Update(ref _subscribers, static (list, c) => list.Add(c), channel);
        return channel.Reader;
    }

    /// <summary>Stops delivering to <paramref name="reader"/>.</summary>
    public void Unsubscribe(ChannelReader<CacheChange> reader)
    {
        var channel = _subscribers.FirstOrDefault(c => c.Reader == reader);
        if (channel is not null)
        {
            ImmutableInterlocked.Update(ref _subscribers, static (list, c) => list.Remove(c), channel);
            channel.Writer.TryComplete();
        }
    }

    public void Publish(CacheChange change)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Writer.TryWrite(change);
        }
    }
}
