using System.Threading.Channels;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>An <see cref="ISessionsClient"/> that records every push in arrival order.</summary>
internal sealed class RecordingClient : ISessionsClient
{
    private readonly Channel<Push> _pushes = Channel.CreateUnbounded<Push>();
    private readonly List<Push> _seen = [];

    /// <summary>Every push taken so far by <see cref="NextAsync{T}"/>, matched or not.</summary>
    public IReadOnlyList<Push> Seen => _seen;

    /// <summary>Waits for the next push of <paramref name="method"/> whose payload matches; earlier pushes are kept in <see cref="Seen"/>.</summary>
    public async Task<T> NextAsync<T>(string method, Func<T, bool>? match = null, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (true)
        {
            Push push;
            try
            {
                push = await _pushes.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No {method} push within 10 s; seen: {string.Join(", ", _seen.Select(s => s.Method))}.");
            }

            _seen.Add(push);
            if (push.Method == method && push.Payload is T payload && (match is null || match(payload)))
            {
                return payload;
            }
        }
    }

    /// <summary>
    /// The first push, taken already (<see cref="Seen"/>) or still to come, that matches: for pushes whose order
    /// against others does not matter.
    /// </summary>
    public async Task<T> SeenOrNextAsync<T>(string method, Func<T, bool> match, CancellationToken cancellationToken = default)
    {
        foreach (var push in _seen.ToArray())
        {
            if (push.Method == method && push.Payload is T payload && match(payload))
            {
                return payload;
            }
        }

        return await NextAsync(method, match, cancellationToken);
    }

    /// <summary>Pushes already received and not yet taken.</summary>
    public IReadOnlyList<Push> Drain()
    {
        var drained = new List<Push>();
        while (_pushes.Reader.TryRead(out var push))
        {
            _seen.Add(push);
            drained.Add(push);
        }

        return drained;
    }

    public Task SessionsState(SessionsSnapshot snapshot) => Record(nameof(SessionsState), snapshot);

    public Task PreparationState(PreparationSnapshot snapshot) => Record(nameof(PreparationState), snapshot);

    public Task SessionCreated(SessionInfo session) => Record(nameof(SessionCreated), session);

    public Task SessionUpdated(SessionInfo session) => Record(nameof(SessionUpdated), session);

    public Task SessionTerminated(SessionInfo session) => Record(nameof(SessionTerminated), session);

    public Task AgentEvent(AgentEventInfo agentEvent) => Record(nameof(AgentEvent), agentEvent);

    public Task InputReceived(InputReceivedInfo input) => Record(nameof(InputReceived), input);

    public Task ComputerUpdated(ComputerInfo computer) => Record(nameof(ComputerUpdated), computer);

    public Task ComputerOffline(ComputerInfo computer) => Record(nameof(ComputerOffline), computer);

    public Task ProjectsUpdated(ProjectsUpdate update) => Record(nameof(ProjectsUpdated), update);

    public Task TodosUpdated(TodosUpdate update) => Record(nameof(TodosUpdated), update);

    public Task SessionOutput(SessionOutput output) => Record(nameof(SessionOutput), output);

    private Task Record(string method, object payload)
    {
        _pushes.Writer.TryWrite(new Push(method, payload));
        return Task.CompletedTask;
    }

    internal sealed record Push(string Method, object Payload);
}
