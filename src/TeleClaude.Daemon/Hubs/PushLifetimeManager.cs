using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace TeleClaude.Daemon.Hubs;

/// <summary>
/// SignalR's default lifetime manager, except that a send to a group (or to all) never waits on a client: the message is
/// serialized once per protocol and handed to each member's <see cref="ClientOutbox"/>, which writes it at once when the
/// client keeps up and queues it when the client's transport is full, and the call returns. Outboxes are
/// bounded (<see cref="PushOptions"/>): a client that falls <see cref="PushOptions.MaxQueuedPerClient"/> pushes (or
/// <see cref="PushOptions.MaxQueuedBytesPerClient"/> bytes) behind is disconnected with a log line, and when all clients
/// together reach <see cref="PushOptions.MaxQueued"/> the one furthest behind is. A disconnected client reconnects,
/// resubscribes and gets the full state, so it loses nothing but time. Sends to one connection (the full state a hub
/// method answers with) stay SignalR's own, awaited by the hub method.
/// </summary>
internal sealed partial class PushLifetimeManager(
    ILogger<DefaultHubLifetimeManager<SessionsHub>> signalRLogger,
    IOptions<PushOptions> options,
    HubCounters counters,
    TimeProvider time,
    ILogger<PushLifetimeManager> logger) : DefaultHubLifetimeManager<SessionsHub>(signalRLogger)
{
    private readonly ConcurrentDictionary<string, ClientOutbox> _outboxes = new(StringComparer.Ordinal);
    private readonly PushOptions _options = options.Value;

    // Enqueues run one at a time so the total bound is exact; an enqueue is a few hundred nanoseconds, no I/O.
    private readonly Lock _enqueue = new();

    /// <summary>The outboxes of the connected clients (for diagnostics and tests).</summary>
    internal IReadOnlyCollection<ClientOutbox> Outboxes => (IReadOnlyCollection<ClientOutbox>)_outboxes.Values;

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _outboxes[connection.ConnectionId] = new ClientOutbox(connection, counters);
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (_outboxes.TryRemove(connection.ConnectionId, out var outbox))
        {
            outbox.Discard();
        }

        return base.OnDisconnectedAsync(connection);
    }

    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        await base.AddToGroupAsync(connectionId, groupName, cancellationToken);
        if (_outboxes.TryGetValue(connectionId, out var outbox))
        {
            outbox.Join(groupName);
        }
    }

    public override async Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        await base.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
        if (_outboxes.TryGetValue(connectionId, out var outbox))
        {
            outbox.Leave(groupName);
        }
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Enqueue(static (_, _) => true, (object?)null, methodName, args);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        Enqueue(static (o, excluded) => !excluded.Contains(o.ConnectionId), excludedConnectionIds, methodName, args);

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Enqueue(static (o, group) => o.IsIn(group), groupName, methodName, args);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Enqueue(static (o, groups) => groups.Any(o.IsIn), groupNames, methodName, args);

    public override Task SendGroupExceptAsync(
        string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        Enqueue(static (o, state) => o.IsIn(state.groupName) && !state.excludedConnectionIds.Contains(o.ConnectionId), (groupName, excludedConnectionIds), methodName, args);

    /// <summary>
    /// At shutdown: takes no more pushes, gives clients <paramref name="timeout"/> to receive what is queued for them, then
    /// discards the rest and disconnects the clients still behind. Returns the pushes discarded.
    /// </summary>
    public async Task<int> DrainAsync(TimeSpan timeout)
    {
        var outboxes = _outboxes.Values.ToArray();
        foreach (var outbox in outboxes)
        {
            outbox.Seal();
        }

        // Sealed outboxes take no more pushes; what they hold is still written while the transports take it.

        try
        {
            await Task.WhenAll(outboxes.Select(o => o.Drained)).WaitAsync(timeout, time);
            return 0;
        }
        catch (TimeoutException)
        {
        }

        var discarded = 0;
        var clients = 0;
        foreach (var outbox in outboxes.Where(o => !o.Drained.IsCompleted))
        {
            var (_, count) = outbox.Drop();
            discarded += count;
            clients++;
            outbox.Connection.Abort();
        }

        LogDrainCancelled(logger, discarded, clients, timeout);
        return discarded;
    }

    private Task Enqueue<TState>(Func<ClientOutbox, TState, bool> isTarget, TState state, string methodName, object?[] args)
    {
        SerializedHubMessage? message = null;
        lock (_enqueue)
        {
            foreach (var outbox in _outboxes.Values)
            {
                if (!outbox.IsOpen || !isTarget(outbox, state))
                {
                    continue;
                }

                // Serialized once per protocol (SerializedHubMessage caches it) and shared by every client of that protocol.
                message ??= new SerializedHubMessage(new InvocationMessage(methodName, args));
                var size = message.GetSerializedMessage(outbox.Connection.Protocol).Length;
                if (counters.InFlight >= _options.MaxQueued && FurthestBehind() is { } victim)
                {
                    Drop(victim, $"all clients together had {_options.MaxQueued} pushes waiting (TeleClaude:Pushes:MaxQueued) and it was furthest behind");
                    if (victim == outbox)
                    {
                        continue;
                    }
                }

                if (outbox.TryEnqueue(message, size, _options.MaxQueuedPerClient, _options.MaxQueuedBytesPerClient) == EnqueueResult.Full)
                {
                    Drop(outbox, $"it had {outbox.Count} pushes ({outbox.Bytes} bytes) waiting (TeleClaude:Pushes:MaxQueuedPerClient / MaxQueuedBytesPerClient)");
                }
            }
        }

        return Task.CompletedTask;
    }

    private ClientOutbox? FurthestBehind() =>
        _outboxes.Values.Where(o => o.IsOpen).MaxBy(o => o.Count) is { Count: > 0 } outbox ? outbox : null;

    private void Drop(ClientOutbox outbox, string why)
    {
        var (first, count) = outbox.Drop();
        if (!first)
        {
            return;
        }

        counters.ClientDropped();
        LogClientDropped(logger, outbox.ConnectionId, why, count);
        outbox.Connection.Abort();
    }

    [LoggerMessage(EventId = 220, Level = LogLevel.Warning,
        Message = "Disconnected hub client {ConnectionId}: it fell behind ({Why}); {Discarded} pushes for it were discarded. It reconnects, resubscribes and gets the full state.")]
    private static partial void LogClientDropped(ILogger logger, string connectionId, string why, int discarded);

    [LoggerMessage(EventId = 221, Level = LogLevel.Information,
        Message = "Shutdown: {Discarded} pushes to {Clients} clients were not written within {Timeout} and were discarded; those clients were disconnected.")]
    private static partial void LogDrainCancelled(ILogger logger, int discarded, int clients, TimeSpan timeout);
}
