using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Commands;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Pulls from a peer with one request: <c>XADD messages:{peer} MAXLEN ~ N * command c initiator me [args json]</c>;
/// the entry id is the request id; the answer is read from <c>output:{request_id}</c> when the peer signals it.
/// The caller's token bounds the wait (the cache gives each pull its own timeout).
/// </summary>
internal sealed class RedisRemoteDataSource : IRemoteDataSource, IDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisCounters _counters;
    private readonly RedisOptions _options;
    private readonly string _self;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _pending = new(StringComparer.Ordinal);
    private readonly Lazy<Task> _subscription;

    public RedisRemoteDataSource(
        IConnectionMultiplexer redis,
        RedisCounters counters,
        IOptions<RedisOptions> options,
        IOptions<DaemonOptions> daemonOptions)
    {
        _redis = redis;
        _counters = counters;
        _options = options.Value;
        _self = daemonOptions.Value.ComputerName;
        _subscription = new Lazy<Task>(() => _redis.GetSubscriber().SubscribeAsync(
            RedisKeys.Responses(_self),
            (_, key) =>
            {
                if (_pending.TryGetValue((string)key!, out var waiter))
                {
                    waiter.TrySetResult(true);
                }
            }));
    }

    public async Task<IReadOnlyList<SessionInfo>> FetchSessionsAsync(string computer, CancellationToken cancellationToken) =>
        (await RequestAsync<IReadOnlyList<SessionInfo>>(computer, RequestCommands.ListSessions, null, cancellationToken))
            .Select(s => s with { Computer = computer }).ToArray();

    public async Task<IReadOnlyList<ProjectInfo>> FetchProjectsAsync(string computer, CancellationToken cancellationToken) =>
        await RequestAsync<IReadOnlyList<ProjectInfo>>(computer, RequestCommands.ListProjects, null, cancellationToken);

    public async Task<IReadOnlyList<TodoInfo>> FetchTodosAsync(string computer, string projectPath, CancellationToken cancellationToken) =>
        await RequestAsync<IReadOnlyList<TodoInfo>>(computer, RequestCommands.ListTodos, RedisJson.Serialize(new ListTodosArgs(projectPath)), cancellationToken);

    public Task<CommandResult<SessionInfo>> StartSessionAsync(string computer, CreateSessionRequest request, CancellationToken cancellationToken) =>
        ActAsync(computer, RequestCommands.StartSession, RedisJson.Serialize(request with { Computer = null }), cancellationToken);

    public Task<CommandResult<SessionInfo>> EndSessionAsync(string computer, string sessionId, CancellationToken cancellationToken) =>
        ActAsync(computer, RequestCommands.EndSession, RedisJson.Serialize(new SessionActionArgs(sessionId)), cancellationToken);

    public Task<CommandResult<SessionInfo>> SendInputAsync(string computer, string sessionId, string text, CancellationToken cancellationToken) =>
        ActAsync(computer, RequestCommands.SendMessage, RedisJson.Serialize(new SessionActionArgs(sessionId, text)), cancellationToken);

    /// <summary>A session action on a peer, bounded by <see cref="RedisOptions.ActionTimeout"/>; failures come back as command errors.</summary>
    private async Task<CommandResult<SessionInfo>> ActAsync(string computer, string command, string argsJson, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ActionTimeout);
        try
        {
            return await RequestAsync<SessionInfo>(computer, command, argsJson, timeout.Token);
        }
        catch (RemoteRequestException ex)
        {
            return new CommandError(ex.Kind, ex.Message);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new CommandError(CommandErrorKind.Unavailable, $"{computer} did not answer {command} within {_options.ActionTimeout.TotalSeconds:0.#} s.");
        }
        catch (RedisException ex)
        {
            return new CommandError(CommandErrorKind.Unavailable, $"Redis is unreachable: {ex.Message}");
        }
    }

    public Task<ComputerInfo> FetchComputerInfoAsync(string computer, CancellationToken cancellationToken) =>
        RequestAsync<ComputerInfo>(computer, RequestCommands.GetComputerInfo, null, cancellationToken);

    /// <summary>Sends one request and waits for its envelope; throws <see cref="RemoteRequestException"/> on an error envelope.</summary>
    public async Task<T> RequestAsync<T>(string computer, string command, string? argsJson, CancellationToken cancellationToken) where T : class
    {
        await _subscription.Value;
        var db = _redis.GetDatabase();
        var waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        NameValueEntry[] fields = argsJson is null
            ? [new("command", command), new("initiator", _self)]
            : [new("command", command), new("initiator", _self), new("args", argsJson)];

        // The id is known only after XADD; a signal that beats the registration is caught by the read below.
        var requestId = (string)(await db.StreamAddAsync(RedisKeys.Messages(computer), fields, maxLength: _options.RequestStreamMaxLength, useApproximateMaxLength: true))!;
        var pendingKey = PendingKey(computer, requestId);
        _pending[pendingKey] = waiter;
        _counters.Increment(RedisCounters.RequestsSent);
        try
        {
            await db.PublishAsync(RedisKeys.StreamSignal(RedisKeys.Messages(computer)), 1, CommandFlags.FireAndForget);
            while (true)
            {
                var chunks = await db.StreamRangeAsync(RedisKeys.Output(requestId), "-", "+");
                var index = Array.FindIndex(chunks, c => (string?)c["source"] == computer);
                if (index < 0 && chunks.Length > 0 && chunks.All(c => c["source"].IsNull))
                {
                    // A responder that does not name itself: its chunk is the only one to take.
                    index = 0;
                }

                if (index >= 0)
                {
                    return Decode<T>(computer, command, chunks[index]);
                }

                try
                {
                    await waiter.Task.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    _counters.Increment(RedisCounters.RequestTimeouts);
                    throw;
                }

                waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _pending[pendingKey] = waiter;
            }
        }
        finally
        {
            _pending.TryRemove(pendingKey, out _);
        }
    }

    private T Decode<T>(string computer, string command, StreamEntry entry) where T : class
    {
        var chunk = (string?)entry["chunk"];
        var envelope = RedisJson.TryDeserialize<ResponseEnvelope>(chunk);
        if (envelope is null || (envelope.Status != ResponseEnvelope.Success && envelope.Status != ResponseEnvelope.Failure))
        {
            _counters.Increment(RedisCounters.MalformedResponses);
            var shown = chunk is null ? "(no chunk field)" : chunk.Length <= 120 ? chunk : chunk[..120] + "...";
            throw new RemoteRequestException($"{computer} answered {command} with a malformed envelope: {shown}");
        }

        if (envelope.Status == ResponseEnvelope.Failure)
        {
            throw new RemoteRequestException($"{computer} refused {command}: {envelope.Error}", ErrorCodes.Parse(envelope.Code));
        }

        if (envelope.Data is not { } data || RedisJson.TryDeserialize<T>(data) is not { } value)
        {
            _counters.Increment(RedisCounters.MalformedResponses);
            throw new RemoteRequestException($"{computer} answered {command} with data of the wrong shape.");
        }

        return value;
    }

    public void Dispose() => _pending.Clear();

    /// <summary>What a responder publishes on <c>responses:{initiator}</c>: who answered which request.</summary>
    internal static string PendingKey(string responder, string requestId) => $"{responder} {requestId}";
}

/// <summary>A peer answered a request with an error, or with something unreadable.</summary>
internal sealed class RemoteRequestException(string message, CommandErrorKind kind = CommandErrorKind.Unavailable) : Exception(message)
{
    public CommandErrorKind Kind { get; } = kind;
}
