using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Commands;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Pulls from a peer with one request: <c>XADD messages:{peer} MAXLEN ~ N * command c initiator me [args json]</c>;
/// the entry id is the request id, and the answer is read from <c>output:{request_id}</c> by the shared blocking
/// reader (<see cref="StreamFollower"/>), which follows that stream only while the request waits. Nothing is made
/// once and kept: a request that fails leaves nothing behind, so the next one works as soon as Redis does.
/// The caller's token bounds the wait (the cache gives each pull its own timeout).
/// </summary>
internal sealed partial class RedisRemoteDataSource(
    EntryWriter writer,
    StreamFollower follower,
    RedisCounters counters,
    IOptions<RedisOptions> options,
    IOptions<DaemonOptions> daemonOptions,
    ILogger<RedisRemoteDataSource> logger) : IRemoteDataSource
{
    private readonly RedisOptions _options = options.Value;
    private readonly string _self = daemonOptions.Value.ComputerName;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, OutputWatch> _watches = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<SessionPatch>> FetchSessionsAsync(string computer, CancellationToken cancellationToken)
    {
        var data = await RequestDataAsync(computer, RequestCommands.ListSessions, null, cancellationToken);
        if (data.ValueKind != JsonValueKind.Array)
        {
            counters.Increment(RedisCounters.MalformedResponses);
            throw new RemoteRequestException($"{computer} answered list_sessions with data that is not a list.");
        }

        var sessions = new List<SessionPatch>(data.GetArrayLength());
        foreach (var element in data.EnumerateArray())
        {
            if (SessionCodec.TryRead(element, computer, out var patch, out var problem))
            {
                sessions.Add(patch);
            }
            else
            {
                counters.Increment(RedisCounters.MalformedResponses);
                LogSkippedSession(computer, problem);
            }
        }

        return sessions;
    }

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

    /// <summary>
    /// A session action on a peer, bounded by <see cref="RedisOptions.ActionTimeout"/>; failures come back as command
    /// errors. The session in the answer is read like any other (a partial one leaves what it lacks unknown).
    /// </summary>
    private async Task<CommandResult<SessionInfo>> ActAsync(string computer, string command, string argsJson, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ActionTimeout);
        try
        {
            var data = await RequestDataAsync(computer, command, argsJson, timeout.Token);
            if (!SessionCodec.TryRead(data, computer, out var patch, out var problem))
            {
                counters.Increment(RedisCounters.MalformedResponses);
                return new CommandError(CommandErrorKind.Unavailable, $"{computer} answered {command} with an unreadable session: {problem}.");
            }

            return patch.ApplyTo(null);
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

    /// <summary>Sends one request and waits for its envelope's data in the shape <typeparamref name="T"/>.</summary>
    public async Task<T> RequestAsync<T>(string computer, string command, string? argsJson, CancellationToken cancellationToken) where T : class
    {
        var data = await RequestDataAsync(computer, command, argsJson, cancellationToken);
        if (RedisJson.TryDeserialize<T>(data) is not { } value)
        {
            counters.Increment(RedisCounters.MalformedResponses);
            throw new RemoteRequestException($"{computer} answered {command} with data of the wrong shape.");
        }

        return value;
    }

    /// <summary>Sends one request and waits for its answer; throws <see cref="RemoteRequestException"/> on an error envelope or one without data.</summary>
    public async Task<JsonElement> RequestDataAsync(string computer, string command, string? argsJson, CancellationToken cancellationToken)
    {
        var requestId = await writer.AddAsync(
            RedisKeys.Messages(computer),
            RequestCodec.EncodeRequest(command, _self, argsJson),
            _options.RequestStreamMaxLength);
        counters.Increment(RedisCounters.RequestsSent);
        var answer = Watch(requestId, computer);
        RemoteResponse response;
        try
        {
            response = await answer.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            counters.Increment(RedisCounters.RequestTimeouts);
            throw;
        }
        finally
        {
            Unwatch(requestId, computer);
        }

        var envelope = response.Envelope;
        if (envelope.Status == ResponseEnvelope.Failure)
        {
            throw new RemoteRequestException($"{computer} refused {command}: {envelope.Error}", ErrorCodes.Parse(envelope.Code));
        }

        if (envelope.Data is not { } data)
        {
            counters.Increment(RedisCounters.MalformedResponses);
            throw new RemoteRequestException($"{computer} answered {command} without data.");
        }

        return data;
    }

    /// <summary>
    /// Waits for <paramref name="responder"/>'s answer on <c>output:{requestId}</c>. Entry ids are unique per stream
    /// only, so requests to two computers in the same millisecond share an id and an output stream: each waiter takes
    /// the chunk whose <c>source</c> names the computer it asked (a chunk without source goes to a waiter without an
    /// answer). An answer read before its waiter joined (the other request's reader got there first) is kept for it.
    /// </summary>
    private TaskCompletionSource<RemoteResponse> Watch(string requestId, string responder)
    {
        var waiter = new TaskCompletionSource<RemoteResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = RedisKeys.Output(requestId).ToString();
        lock (_lock)
        {
            if (!_watches.TryGetValue(stream, out var watch))
            {
                watch = new OutputWatch();
                _watches[stream] = watch;
                watch.Waiters[responder] = waiter;
                watch.Registration = follower.Follow(stream, StreamId.Start, entries => Deliver(watch, entries));
            }
            else
            {
                watch.Waiters[responder] = waiter;
                var kept = watch.Unclaimed.FindIndex(a => a.Source is null || a.Source == responder);
                if (kept >= 0)
                {
                    Complete(waiter, watch.Unclaimed[kept].Answer);
                    watch.Unclaimed.RemoveAt(kept);
                }
            }
        }

        return waiter;
    }

    private void Unwatch(string requestId, string responder)
    {
        var stream = RedisKeys.Output(requestId).ToString();
        lock (_lock)
        {
            if (_watches.TryGetValue(stream, out var watch) && watch.Waiters.Remove(responder) && watch.Waiters.Count == 0)
            {
                _watches.Remove(stream);
                watch.Registration?.Dispose();
            }
        }
    }

    private Task Deliver(OutputWatch watch, StreamEntry[] entries)
    {
        foreach (var entry in entries)
        {
            Answer answer = RequestCodec.TryDecodeResponse(entry, out var response, out var problem)
                ? new(response.Source, response, null)
                : new((string?)entry["source"], null, problem);
            if (answer.Response is null)
            {
                counters.Increment(RedisCounters.MalformedResponses);
            }

            lock (_lock)
            {
                var waiter = answer.Source is not null
                    ? watch.Waiters.GetValueOrDefault(answer.Source)
                    : watch.Waiters.Values.FirstOrDefault(w => !w.Task.IsCompleted);
                if (waiter is null || waiter.Task.IsCompleted)
                {
                    watch.Unclaimed.Add((answer.Source, answer));
                }
                else
                {
                    Complete(waiter, answer);
                }
            }
        }

        return Task.CompletedTask;
    }

    private static void Complete(TaskCompletionSource<RemoteResponse> waiter, Answer answer)
    {
        if (answer.Response is { } response)
        {
            waiter.TrySetResult(response);
        }
        else
        {
            waiter.TrySetException(new RemoteRequestException($"{answer.Source ?? "a peer"} answered with a malformed response: {answer.Problem}."));
        }
    }

    private sealed record Answer(string? Source, RemoteResponse? Response, string? Problem);

    private sealed class OutputWatch
    {
        public Dictionary<string, TaskCompletionSource<RemoteResponse>> Waiters { get; } = new(StringComparer.Ordinal);

        /// <summary>Answers read while no waiter for their source was there yet.</summary>
        public List<(string? Source, Answer Answer)> Unclaimed { get; } = [];

        public StreamFollower.Registration? Registration { get; set; }
    }

    [LoggerMessage(EventId = 560, Level = LogLevel.Warning, Message = "Skipped a session in {Computer}'s list_sessions answer: {Problem}.")]
    private partial void LogSkippedSession(string computer, string problem);
}

/// <summary>A peer answered a request with an error, or with something unreadable.</summary>
internal sealed class RemoteRequestException(string message, CommandErrorKind kind = CommandErrorKind.Unavailable) : Exception(message)
{
    public CommandErrorKind Kind { get; } = kind;
}
