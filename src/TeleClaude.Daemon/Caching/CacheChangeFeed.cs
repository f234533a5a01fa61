using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Caching;

/// <summary>
/// The cache's on_change stream: every subscriber gets every change in order through its own bounded queue
/// (<see cref="CacheOptions.ChangeFeedCapacity"/>), so a slow subscriber never blocks the cache, the publisher or the
/// other subscribers, and never grows without bound. <see cref="Publish"/> never blocks and never throws.
/// <para>
/// A subscriber whose queue is full is not fed further until it has read everything it holds; then it reads one
/// <see cref="ChangesDropped"/> (how many, since when) and must resync from the current state, which includes every
/// change it missed: the hub pushes the full state to its clients; the Redis emitter re-sends its sessions to interested
/// peers. Nothing is lost without the subscriber being told, and the queue's memory stays bounded.
/// </para>
/// </summary>
internal sealed partial class CacheChangeFeed
{
    /// <summary>Changes a subscriber may hold unread; the default of <see cref="CacheOptions.ChangeFeedCapacity"/>.</summary>
    public const int DefaultCapacity = 10_000;

    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ImmutableArray<Subscription> _subscribers = [];

    public CacheChangeFeed()
        : this(DefaultCapacity, TimeProvider.System, NullLogger<CacheChangeFeed>.Instance)
    {
    }

    public CacheChangeFeed(IOptions<CacheOptions> options, TimeProvider time, ILogger<CacheChangeFeed> logger)
        : this(options.Value.ChangeFeedCapacity, time, logger)
    {
    }

    internal CacheChangeFeed(int capacity, TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _time = time;
        _logger = logger;
    }

    /// <summary>A new reader that sees every change published from now on (or a <see cref="ChangesDropped"/> in their place).</summary>
    /// <param name="name">Who reads, for the log line when it falls behind; the calling file by default.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    public ChannelReader<CacheChange> Subscribe(string? name = null, [CallerFilePath] string callerFile = "")
    {
        var subscription = new Subscription(this, name ?? Path.GetFileNameWithoutExtension(callerFile));
        ImmutableInterlocked.Update(ref _subscribers, static (list, s) => list.Add(s), subscription);
        return subscription;
    }

    /// <summary>Stops delivering to <paramref name="reader"/>; what it holds can still be read, then it completes.</summary>
    public void Unsubscribe(ChannelReader<CacheChange> reader)
    {
        if (reader is Subscription subscription)
        {
            ImmutableInterlocked.Update(ref _subscribers, static (list, s) => list.Remove(s), subscription);
            subscription.Complete();
        }
    }

    public void Publish(CacheChange change)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Offer(change);
        }
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning,
        Message = "Change feed subscriber {Subscriber} fell {Capacity} changes behind; it skips changes until it has caught up, then resyncs from the current state.")]
    private partial void LogOverflow(string subscriber, int capacity);

    [LoggerMessage(EventId = 121, Level = LogLevel.Information, Message = "Change feed subscriber {Subscriber} caught up; it resyncs after {Dropped} skipped changes.")]
    private partial void LogCaughtUp(string subscriber, long dropped);

    /// <summary>
    /// One subscriber's queue. The lock makes "full: start skipping" and "drained: hand out the marker, stop skipping"
    /// exclusive with publishing, so every change is either delivered in order or counted in the marker that follows
    /// everything delivered before it.
    /// </summary>
    private sealed class Subscription(CacheChangeFeed feed, string name) : ChannelReader<CacheChange>
    {
        private readonly Channel<CacheChange> _queue = Channel.CreateBounded<CacheChange>(
            new BoundedChannelOptions(feed._capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        private readonly Lock _lock = new();
        private long _dropped;
        private DateTimeOffset _droppedSince;
        private bool _completed;

        public override bool CanCount => true;

        public override int Count => _queue.Reader.Count + (Interlocked.Read(ref _dropped) > 0 ? 1 : 0);

        public override Task Completion => _queue.Reader.Completion;

        public void Offer(CacheChange change)
        {
            lock (_lock)
            {
                if (_completed)
                {
                    return;
                }

                if (_dropped > 0)
                {
                    _dropped++;
                    return;
                }

                if (!_queue.Writer.TryWrite(change))
                {
                    _dropped = 1;
                    _droppedSince = feed._time.GetUtcNow();
                    feed.LogOverflow(name, feed._capacity);
                }
            }
        }

        public void Complete()
        {
            lock (_lock)
            {
                _completed = true;
                _queue.Writer.TryComplete();
            }
        }

        public override bool TryRead([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out CacheChange item)
        {
            if (_queue.Reader.TryRead(out item))
            {
                return true;
            }

            lock (_lock)
            {
                if (_queue.Reader.TryRead(out item))
                {
                    return true;
                }

                if (_dropped == 0)
                {
                    return false;
                }

                item = new ChangesDropped(_dropped, _droppedSince);
                feed.LogCaughtUp(name, _dropped);
                _dropped = 0;
                return true;
            }
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
            // Skipping only starts on a full queue, so while there is a marker to hand out there is something queued too.
            _queue.Reader.WaitToReadAsync(cancellationToken);
    }
}
