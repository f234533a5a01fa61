using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Commands;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Resilience;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Answers requests on <c>messages:{self}</c> (<c>command</c>, <c>initiator</c>, optional <c>args</c>) through the shared
/// command handlers: <c>XADD output:{request_id} * chunk {envelope} source {self}</c> and an expiry on that stream.
/// Unknown commands and bad arguments get an error envelope. Requests are read by the shared blocking reader and
/// answered by a few workers, so a slow one (starting a session) neither holds up the others nor the reader.
/// </summary>
internal sealed partial class RequestResponder(
    IConnectionMultiplexer redis,
    EntryWriter writer,
    StreamFollower follower,
    DaemonCommands commands,
    Agents.AgentCommands agents,
    ScreenPublisher screens,
    RedisCounters counters,
    IOptions<DaemonOptions> daemonOptions,
    IOptions<RedisOptions> redisOptions,
    TimeProvider time,
    ILogger<RequestResponder> logger) : BackgroundService
{
    /// <summary>Requests answered at the same time.</summary>
    internal const int Workers = 4;

    /// <summary>Requests waiting for a worker; more are not answered (their initiators time out) and are counted.</summary>
    internal const int QueueLength = 1000;

    private readonly string _self = daemonOptions.Value.ComputerName;
    private readonly Channel<RemoteRequest> _queue = Channel.CreateBounded<RemoteRequest>(new BoundedChannelOptions(QueueLength) { FullMode = BoundedChannelFullMode.Wait });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Requests sent while this daemon was down have timed out at their initiator: start at the stream's end.
        var stream = RedisKeys.Messages(_self);
        var start = StreamId.Start;
        await Backoff.Forever($"Finding the end of {stream}", time, logger, _ => counters.Increment(RedisCounters.RedisErrors))
            .ExecuteAsync(async _ => start = await LastIdAsync(stream), stoppingToken);

        using var registration = follower.Follow(stream, start, batch =>
        {
            foreach (var entry in batch)
            {
                Accept(entry);
            }

            return Task.CompletedTask;
        });
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => WorkAsync(stoppingToken)));
    }

    private async Task<string> LastIdAsync(RedisKey stream)
    {
        var last = await redis.GetDatabase().StreamRangeAsync(stream, "-", "+", count: 1, messageOrder: Order.Descending);
        return last.Length == 0 ? StreamId.Start : last[0].Id.ToString();
    }

    private void Accept(StreamEntry entry)
    {
        if (!RequestCodec.TryDecodeRequest(entry, out var request, out var initiator, out var problem))
        {
            counters.Increment(RedisCounters.MalformedRequests);
            LogMalformedRequest(entry.Id.ToString(), problem);
            if (initiator is not null)
            {
                request = new RemoteRequest(entry.Id.ToString(), "", initiator, null);
            }
            else
            {
                return;
            }
        }

        if (IsTooOld(request.Id))
        {
            return;
        }

        if (!_queue.Writer.TryWrite(request))
        {
            counters.Increment(RedisCounters.RequestsDropped);
            LogQueueFull(request.Command, request.Id, QueueLength);
        }
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var request in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await AnswerAsync(request, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task AnswerAsync(RemoteRequest request, CancellationToken stoppingToken)
    {
        ResponseEnvelope envelope;
        try
        {
            envelope = request.Command.Length == 0
                ? Invalid("The request has no command field.")
                : await ExecuteAsync(request.Command, request.Initiator, request.ArgsJson, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRequestFailed(request.Command, request.Id, ex);
            envelope = new ResponseEnvelope(ResponseEnvelope.Failure, null, $"'{request.Command}' failed on {_self}.", ErrorCodes.Name(CommandErrorKind.Unavailable));
        }

        // Written again while Redis is unreachable, but only as long as the initiator may still be waiting.
        using var deadline = new CancellationTokenSource(Remaining(request.Id), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, deadline.Token);
        try
        {
            await Backoff.Forever($"Answering {request.Command} ({request.Id})", time, logger, _ => counters.Increment(RedisCounters.RedisErrors))
                .ExecuteAsync(async _ => await RespondAsync(request.Id, envelope), linked.Token);
            counters.Increment(RedisCounters.RequestsServed);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            LogAnswerGaveUp(request.Command, request.Id);
        }
    }

    private async Task<ResponseEnvelope> ExecuteAsync(string command, string initiator, string? argsJson, CancellationToken cancellationToken)
    {
        switch (command)
        {
            case RequestCommands.ListSessions:
                var sessions = await commands.ListSessionsAsync(_self, cancellationToken);
                return new(ResponseEnvelope.Success, SessionCodec.WriteList(sessions), null);
            case RequestCommands.ListProjects:
                return Ok(commands.ListProjects(_self));
            case RequestCommands.GetComputerInfo:
                return Ok(commands.ListComputers().First(c => c.IsLocal));
            case RequestCommands.ListTodos:
                var args = RedisJson.TryDeserialize<ListTodosArgs>(argsJson);
                if (args?.ProjectPath is not { Length: > 0 } path)
                {
                    return Invalid("list_todos needs args {\"project_path\": \"/abs/path\"}.");
                }

                var todos = await commands.ListTodosAsync(_self, path, cancellationToken);
                return todos.Error is { } error ? Error(error) : Ok(todos.Value);
            case RequestCommands.StartSession:
                var request = RedisJson.TryDeserialize<Contracts.CreateSessionRequest>(argsJson);
                return request is null
                    ? Invalid("start_session needs args {\"project_path\", \"title\", \"agent\", \"message\"?}.")
                    : Session(await commands.CreateSessionAsync(request with { Computer = null }, cancellationToken));
            case RequestCommands.EndSession:
                return RedisJson.TryDeserialize<SessionActionArgs>(argsJson) is { SessionId.Length: > 0 } end
                    ? Session(await commands.EndSessionAsync(end.SessionId, cancellationToken))
                    : Invalid("end_session needs args {\"session_id\"}.");
            case RequestCommands.SendMessage:
                return RedisJson.TryDeserialize<SessionActionArgs>(argsJson) is { SessionId.Length: > 0, Text: not null } send
                    ? Session(await commands.SendInputAsync(send.SessionId, new Contracts.SendInputRequest(send.Text), cancellationToken))
                    : Invalid("send_message needs args {\"session_id\", \"text\"}.");
            case RequestCommands.AnswerSession:
            case RequestCommands.GetSessionMessages:
            case RequestCommands.WatchOutput:
            case RequestCommands.UnwatchOutput:
                return await ExecuteAgentCommandAsync(command, initiator, argsJson, cancellationToken);
            default:
                return new(ResponseEnvelope.Failure, null, $"Unknown command '{WireValues.Clip(command)}'. Known: {RequestCommands.Known}.", ErrorCodes.Name(CommandErrorKind.Unsupported));
        }
    }

    private static ResponseEnvelope Session(CommandResult<Contracts.SessionInfo> result) =>
        result.Error is { } error ? Error(error) : new(ResponseEnvelope.Success, SessionCodec.WriteElement(result.Value!), null);

    private static ResponseEnvelope Invalid(string message, string? field = null) => field is null
        ? new(ResponseEnvelope.Failure, null, message, ErrorCodes.Name(CommandErrorKind.Invalid))
        : Error(CommandError.Invalid(field, message));

    private static ResponseEnvelope Error(CommandError error) => new(ResponseEnvelope.Failure, null, error.Message, ErrorCodes.Name(error.Kind), error.Fields);

    private static ResponseEnvelope Ok<T>(T data) => new(ResponseEnvelope.Success, RedisJson.ToElement(data), null);

    private async Task RespondAsync(string requestId, ResponseEnvelope envelope)
    {
        var db = redis.GetDatabase();
        var output = RedisKeys.Output(requestId);

        // Entry ids are unique per stream only: requests to two computers in the same millisecond share an id,
        // so the chunk names its responder and the initiator takes the one from the computer it asked.
        var add = writer.AddAsync(output, RequestCodec.EncodeResponse(envelope, _self));
        var expire = db.KeyExpireAsync(output, redisOptions.Value.ResponseTtl);
        await Task.WhenAll(add, expire);
    }

    private TimeSpan Age(string requestId)
    {
        var dash = requestId.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && long.TryParse(requestId.AsSpan(0, dash), out var millis)
            ? time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(millis)
            : TimeSpan.Zero;
    }

    private bool IsTooOld(string requestId) => Age(requestId) > redisOptions.Value.RequestMaxAge;

    private TimeSpan Remaining(string requestId)
    {
        var left = redisOptions.Value.RequestMaxAge - Age(requestId);
        return left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
    }

    [LoggerMessage(EventId = 550, Level = LogLevel.Warning, Message = "Skipped malformed request {RequestId}: {Problem}.")]
    private partial void LogMalformedRequest(string requestId, string problem);

    [LoggerMessage(EventId = 551, Level = LogLevel.Error, Message = "Request {Command} ({RequestId}) failed.")]
    private partial void LogRequestFailed(string command, string requestId, Exception exception);

    [LoggerMessage(EventId = 552, Level = LogLevel.Warning, Message = "{Count} requests are waiting already; {Command} ({RequestId}) is not answered.")]
    private partial void LogQueueFull(string command, string requestId, int count);

    [LoggerMessage(EventId = 553, Level = LogLevel.Warning, Message = "Gave up answering {Command} ({RequestId}): Redis stayed unreachable until its initiator stopped waiting.")]
    private partial void LogAnswerGaveUp(string command, string requestId);
}
