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
    IConnectionMultiplexer redis,
    EntryWriter writer,
    StreamFollower follower,
    RedisCounters counters,
    IOptions<RedisOptions> options,
    IOptions<DaemonOptions> daemonOptions,
    TimeProvider time,
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

    public Task<CommandResult<SessionInfo>> AnswerAsync(string computer, string sessionId, string choice, CancellationToken cancellationToken) =>
        ActAsync(computer, RequestCommands.AnswerSession, RedisJson.Serialize(new AnswerSessionArgs(sessionId, choice)), cancellationToken);

    /// <summary>
    /// A page of a session's conversation on <paramref name="computer"/>, read there (<c>get_session_messages</c>) and paged
    /// the same way; the owner bounds the page's size (<see cref="MessagePages"/>), and so does this side for any peer.
    /// </summary>
    public Task<CommandResult<SessionMessages>> FetchMessagesAsync(string computer, string sessionId, string? since, int limit, CancellationToken cancellationToken) =>
        CallAsync<SessionMessages>(computer, RequestCommands.GetSessionMessages, RedisJson.Serialize(new SessionMessagesArgs(sessionId, since, limit)), data =>
        {
            if (RedisJson.TryDeserialize<SessionMessages>(data) is not { Messages: not null, Source: not null } page
                || page.SessionId != sessionId || page.Messages.Any(m => m is null || m.Text is null || m.Cursor is null || m.Role is null))
            {
                counters.Increment(RedisCounters.MalformedResponses);
                return new CommandError(CommandErrorKind.Unavailable, $"{computer} answered get_session_messages with something that is not a page of session '{sessionId}'.");
            }

            return MessagePages.Bound(page, computer);
        }, _options.ActionTimeout, cancellationToken);

    /// <summary>
    /// Watches a session's screen on <paramref name="computer"/> until the result is disposed (see <see cref="RemoteScreenWatch"/>):
    /// <paramref name="onOutput"/> gets each new screen, the first one as soon as the owner has written it.
    /// </summary>
    public async Task<CommandResult<IAsyncDisposable>> WatchOutputAsync(string computer, string sessionId, Func<SessionOutput, Task> onOutput, CancellationToken cancellationToken)
    {
        var watch = new RemoteScreenWatch(this, follower, redis, counters, options, time, logger, computer, sessionId, onOutput);
        return await watch.StartAsync(cancellationToken);
    }

    /// <summary>
    /// A session action on a peer, bounded by <see cref="RedisOptions.ActionTimeout"/>; failures come back as command
    /// errors. The session in the answer is read like any other (a partial one leaves what it lacks unknown).
    /// </summary>
    private Task<CommandResult<SessionInfo>> ActAsync(string computer, string command, string argsJson, CancellationToken cancellationToken) =>
        CallAsync<SessionInfo>(computer, command, argsJson, data =>
        {
            if (!SessionCodec.TryRead(data, computer, out var patch, out var problem))
            {
                counters.Increment(RedisCounters.MalformedResponses);
                return new CommandError(CommandErrorKind.Unavailable, $"{computer} answered {command} with an unreadable session: {problem}.");
            }

            return patch.ApplyTo(null);
        }, _options.ActionTimeout, cancellationToken);

    /// <summary>
    /// One request whose answer <paramref name="read"/> turns into a result, bounded by <paramref name="timeout"/>. Every
    /// failure is a command error that says what happened: the peer's own error (its kind and the fields it names), a
    /// peer that does not know the command (an older or foreign peer), no answer in time, or Redis unreachable.
    /// </summary>
    internal async Task<CommandResult<T>> CallAsync<T>(
        string computer, string command, string? argsJson, Func<JsonElement, CommandResult<T>> read, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            return read(await RequestDataAsync(computer, command, argsJson, limit.Token));
        }
        catch (RemoteRequestException ex) when (DoesNotKnow(command, ex))
        {
            return new CommandError(CommandErrorKind.Unsupported,
                $"{computer} does not know the request '{command}' (it answered: {WireValues.Clip(ex.RemoteError, 200)}); it runs an older TeleClaude or another program. Update TeleClaude on {computer}.");
        }
        catch (RemoteRequestException ex)
        {
            // The peer's own words (they name the session, the choices, ...), as a local call would answer.
            return new CommandError(ex.Kind, ex.RemoteError ?? ex.Message, ex.Fields);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new CommandError(CommandErrorKind.Unavailable, $"{computer} did not answer {command} within {timeout.TotalSeconds:0.#} s.");
        }
        catch (RedisServerException ex)
        {
            return new CommandError(CommandErrorKind.Unavailable, $"Redis refused {command}: {ex.Message}");
        }
        catch (RedisException ex)
        {
            return new CommandError(CommandErrorKind.Unavailable, $"Redis is unreachable: {ex.Message}");
        }
    }

    /// <summary>
    /// Whether the peer refused <paramref name="command"/> because it does not know it: it says "unknown command" (older
    /// TeleClaude daemons, the README's minimal peer) or answers with code <c>unsupported</c>; and for the requests only
    /// TeleClaude daemons answer (the seed has no such commands), an error without a code: peers that write codes answer
    /// these with one.
    /// </summary>
    private static bool DoesNotKnow(string command, RemoteRequestException ex) =>
        ex.RemoteError is { } error && (error.Contains("unknown command", StringComparison.OrdinalIgnoreCase)
            || (command is RequestCommands.AnswerSession or RequestCommands.GetSessionMessages or RequestCommands.WatchOutput or RequestCommands.UnwatchOutput
                && ex.RemoteCode is null or "unsupported"));

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
            throw new RemoteRequestException($"{computer} refused {command}: {envelope.Error}", ErrorCodes.Parse(envelope.Code))
            {
                RemoteError = envelope.Error,
                RemoteCode = envelope.Code,
                Fields = envelope.Fields,
            };
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

    /// <summary>The error text of the peer's envelope; null when the answer itself was unreadable.</summary>
    public string? RemoteError { get; init; }

    /// <summary>The <c>code</c> of the peer's error envelope, if it sent one.</summary>
    public string? RemoteCode { get; init; }

    /// <summary>The invalid arguments the peer named, if it did.</summary>
    public IReadOnlyDictionary<string, string[]>? Fields { get; init; }
}
