using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;

namespace TeleClaude.Daemon.Hubs;

/// <summary>
/// One hub connection's pushes waiting to be written, in order, bounded in count and bytes by the caller. One loop writes
/// them one at a time (SignalR serializes a connection's writes anyway), so a client that stops reading holds up only its
/// own outbox; what piles up there is what <see cref="PushLifetimeManager"/> bounds.
/// </summary>
internal sealed class ClientOutbox
{
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly Lock _lock = new();
    private readonly HashSet<string> _groups = new(StringComparer.Ordinal);
    private readonly HubCounters _counters;
    private int _count;
    private long _bytes;
    private bool _closed;
    private bool _dropped;

    public ClientOutbox(HubConnectionContext connection, HubCounters counters)
    {
        Connection = connection;
        _counters = counters;
        Writer = WriteAllAsync();
    }

    public HubConnectionContext Connection { get; }

    public string ConnectionId => Connection.ConnectionId;

    /// <summary>The write loop; completes once the outbox is sealed and written out, or discarded.</summary>
    public Task Writer { get; }

    /// <summary>Pushes waiting, including the one being written.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public bool IsOpen
    {
        get
        {
            lock (_lock)
            {
                return !_closed;
            }
        }
    }

    public void Join(string group)
    {
        lock (_lock)
        {
            _groups.Add(group);
        }
    }

    public void Leave(string group)
    {
        lock (_lock)
        {
            _groups.Remove(group);
        }
    }

    public bool IsIn(string group)
    {
        lock (_lock)
        {
            return _groups.Contains(group);
        }
    }

    /// <summary>Queues <paramref name="message"/> unless the outbox is closed or would pass one of the bounds.</summary>
    public EnqueueResult TryEnqueue(SerializedHubMessage message, int size, int maxCount, long maxBytes)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return EnqueueResult.Closed;
            }

            // A single push larger than the byte bound still goes to a client that has nothing waiting.
            if (_count + 1 > maxCount || (_count > 0 && _bytes + size > maxBytes))
            {
                return EnqueueResult.Full;
            }

            _count++;
            _bytes += size;
            _queue.Writer.TryWrite(new Item(message, size));
        }

        _counters.Queued();
        return EnqueueResult.Queued;
    }

    /// <summary>Takes no more pushes; those queued are still written (a drain). True the first time.</summary>
    public bool Seal()
    {
        lock (_lock)
        {
            var first = !_closed;
            _closed = true;
            _queue.Writer.TryComplete();
            return first;
        }
    }

    /// <summary>Marks the outbox as dropped (once) and throws away what it holds; returns the count and bytes thrown away.</summary>
    public (bool First, int Count, long Bytes) Drop()
    {
        bool first;
        lock (_lock)
        {
            first = !_dropped;
            _dropped = true;
            _closed = true;
            _queue.Writer.TryComplete();
        }

        var (count, bytes) = Discard();
        return (first, count, bytes);
    }

    /// <summary>Throws away what is queued (not the push being written); the write loop then ends.</summary>
    public (int Count, long Bytes) Discard()
    {
        lock (_lock)
        {
            _closed = true;
            _queue.Writer.TryComplete();
        }

        var count = 0;
        var bytes = 0L;
        while (_queue.Reader.TryRead(out var item))
        {
            count++;
            bytes += item.Size;
            Release(item);
        }

        if (count > 0)
        {
            _counters.Discarded(count);
        }

        return (count, bytes);
    }

    private async Task WriteAllAsync()
    {
        // Never write on the caller's thread: the outbox is made inside SignalR's OnConnectedAsync.
        await Task.Yield();
        await foreach (var item in _queue.Reader.ReadAllAsync())
        {
            try
            {
                // No token: a stalled write ends when the connection is aborted (dropped, disconnected, shut down).
                await Connection.WriteAsync(item.Message, CancellationToken.None);
                if (Connection.ConnectionAborted.IsCancellationRequested)
                {
                    // SignalR drops writes to an aborted connection without an error: this one never reached the client.
                    throw new OperationCanceledException("The connection was aborted.");
                }

                _counters.Written();
            }
            catch (Exception)
            {
                // The connection is gone; what is left is of no use to anyone.
                _counters.Discarded(1);
                Release(item);
                Discard();
                return;
            }

            Release(item);
        }
    }

    private void Release(Item item)
    {
        lock (_lock)
        {
            _count--;
            _bytes -= item.Size;
        }
    }

    private readonly record struct Item(SerializedHubMessage Message, int Size);
}

/// <summary>What became of a push offered to a <see cref="ClientOutbox"/>.</summary>
internal enum EnqueueResult
{
    Queued,
    Full,
    Closed,
}
