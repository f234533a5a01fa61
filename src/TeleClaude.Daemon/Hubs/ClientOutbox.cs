using Microsoft.AspNetCore.SignalR;

namespace TeleClaude.Daemon.Hubs;

/// <summary>
/// One hub connection's pushes, written in order, one at a time, with what waits behind a write bounded by the caller
/// (<see cref="PushLifetimeManager"/>). A push to a connection with nothing pending is written at once on the caller's
/// thread, as SignalR's own group send does: usually the transport takes it without waiting. Only when the transport is
/// full (the client is not reading) does the write go asynchronous; later pushes then queue here, and the write that
/// completes takes the next one. So a client that stops reading holds up only its own queue, and no thread waits on it.
/// </summary>
internal sealed class ClientOutbox
{
    private readonly Lock _lock = new();
    private readonly Queue<Item> _queue = new();
    private readonly HashSet<string> _groups = new(StringComparer.Ordinal);
    private readonly HubCounters _counters;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;
    private long _bytes;
    private bool _writing;
    private bool _closed;
    private bool _dropped;

    public ClientOutbox(HubConnectionContext connection, HubCounters counters)
    {
        Connection = connection;
        _counters = counters;
    }

    public HubConnectionContext Connection { get; }

    public string ConnectionId => Connection.ConnectionId;

    /// <summary>Completes once the outbox is sealed and everything in it written, or it was discarded.</summary>
    public Task Drained => _drained.Task;

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

    /// <summary>Writes or queues <paramref name="message"/>, unless the outbox is closed or would pass one of the bounds.</summary>
    public EnqueueResult TryEnqueue(SerializedHubMessage message, int size, int maxCount, long maxBytes)
    {
        var item = new Item(message, size);
        bool writeNow;
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
            writeNow = !_writing;
            if (writeNow)
            {
                _writing = true;
            }
            else
            {
                _queue.Enqueue(item);
            }
        }

        _counters.Queued();
        if (writeNow)
        {
            Write(item);
        }

        return EnqueueResult.Queued;
    }

    /// <summary>Takes no more pushes; those queued are still written (a drain).</summary>
    public void Seal()
    {
        lock (_lock)
        {
            _closed = true;
            if (!_writing)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>Marks the outbox as dropped (true the first time) and throws away what waits (not a write under way).</summary>
    public (bool First, int Count) Drop()
    {
        bool first;
        lock (_lock)
        {
            first = !_dropped;
            _dropped = true;
        }

        return (first, Discard());
    }

    /// <summary>Takes no more pushes and throws away what waits (not a write under way); returns how many.</summary>
    public int Discard()
    {
        int count;
        lock (_lock)
        {
            _closed = true;
            count = _queue.Count;
            foreach (var item in _queue)
            {
                _count--;
                _bytes -= item.Size;
            }

            _queue.Clear();
            if (!_writing)
            {
                _drained.TrySetResult();
            }
        }

        if (count > 0)
        {
            _counters.Discarded(count);
        }

        return count;
    }

    /// <summary>Writes <paramref name="item"/> and then whatever queued behind it, for as long as writes complete at once.</summary>
    private void Write(Item item)
    {
        while (true)
        {
            ValueTask write;
            try
            {
                // No token: a stalled write ends when the connection is aborted (dropped, disconnected, shut down).
                write = Connection.WriteAsync(item.Message, CancellationToken.None);
            }
            catch (Exception)
            {
                Failed(item);
                return;
            }

            if (!write.IsCompleted)
            {
                _ = CompleteAsync(write, item);
                return;
            }

            if (!Completed(write, item) || !TryTakeNext(out item))
            {
                return;
            }
        }
    }

    private async Task CompleteAsync(ValueTask write, Item item)
    {
        try
        {
            await write;
        }
        catch (Exception)
        {
            Failed(item);
            return;
        }

        if (Written(item) && TryTakeNext(out var next))
        {
            Write(next);
        }
    }

    private bool Completed(ValueTask write, Item item)
    {
        try
        {
            write.GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            Failed(item);
            return false;
        }

        return Written(item);
    }

    private bool Written(Item item)
    {
        if (Connection.ConnectionAborted.IsCancellationRequested)
        {
            // SignalR drops writes to an aborted connection without an error: this one never reached the client.
            Failed(item);
            return false;
        }

        Release(item);
        _counters.Written();
        return true;
    }

    /// <summary>The connection is gone: this push and what waits behind it are of no use to anyone.</summary>
    private void Failed(Item item)
    {
        Release(item);
        _counters.Discarded(1);
        Discard();
        lock (_lock)
        {
            _writing = false;
            _drained.TrySetResult();
        }
    }

    private bool TryTakeNext(out Item next)
    {
        lock (_lock)
        {
            if (_queue.TryDequeue(out next))
            {
                return true;
            }

            _writing = false;
            if (_closed)
            {
                _drained.TrySetResult();
            }

            return false;
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
