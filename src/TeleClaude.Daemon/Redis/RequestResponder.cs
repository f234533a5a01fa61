using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Commands;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Answers requests on <c>messages:{self}</c> (<c>command</c>, <c>initiator</c>, optional <c>args</c>) through
/// the shared command handlers: <c>XADD output:{request_id} * chunk {envelope}</c>, an expiry on that stream,
/// and a signal to the initiator. Unknown commands and bad arguments get an error envelope.
/// </summary>
internal sealed partial class RequestResponder(
    IConnectionMultiplexer redis,
    StreamFollower follower,
    DaemonCommands commands,
    RedisCounters counters,
    IOptions<DaemonOptions> daemonOptions,
    IOptions<RedisOptions> redisOptions,
    TimeProvider time,
    ILogger<RequestResponder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Requests sent while this daemon was down have timed out at their initiator: start at the stream's end.
        var stream = RedisKeys.Messages(daemonOptions.Value.ComputerName);
        var start = await LastIdAsync(stream, stoppingToken);
        await follower.FollowAsync(stream, start, async batch =>
        {
            foreach (var entry in batch)
            {
                await AnswerAsync(entry, stoppingToken);
            }
        }, stoppingToken);
    }

    private async Task<RedisValue> LastIdAsync(RedisKey stream, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var last = await redis.GetDatabase().StreamRangeAsync(stream, "-", "+", count: 1, messageOrder: Order.Descending);
                return last.Length == 0 ? "0-0" : last[0].Id;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                counters.Increment(RedisCounters.RedisErrors);
                await Task.Delay(backoff, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private async Task AnswerAsync(StreamEntry entry, CancellationToken cancellationToken)
    {
        var requestId = entry.Id.ToString();
        var command = (string?)entry["command"];
        var initiator = (string?)entry["initiator"];
        if (string.IsNullOrEmpty(command) || initiator is null || !DaemonOptionsValidator.ComputerNamePattern().IsMatch(initiator))
        {
            counters.Increment(RedisCounters.MalformedRequests);
            LogMalformedRequest(requestId);
            if (!string.IsNullOrEmpty(initiator) && DaemonOptionsValidator.ComputerNamePattern().IsMatch(initiator))
            {
                await RespondAsync(requestId, initiator, Invalid("The request has no command field."));
            }

            return;
        }

        if (IsTooOld(requestId))
        {
            return;
        }

        ResponseEnvelope envelope;
        try
        {
            envelope = await ExecuteAsync(command, (string?)entry["args"], cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRequestFailed(command, requestId, ex);
            envelope = new ResponseEnvelope(ResponseEnvelope.Failure, null, $"'{command}' failed on {daemonOptions.Value.ComputerName}.", ErrorCodes.Name(CommandErrorKind.Unavailable));
        }

        await RespondAsync(requestId, initiator, envelope);
        counters.Increment(RedisCounters.RequestsServed);
    }

    private async Task<ResponseEnvelope> ExecuteAsync(string command, string? argsJson, CancellationToken cancellationToken)
    {
        switch (command)
        {
            case RequestCommands.ListSessions:
                var sessions = await commands.ListSessionsAsync(daemonOptions.Value.ComputerName, cancellationToken);
                return Ok(sessions);
            case RequestCommands.ListProjects:
                return Ok(commands.ListProjects(daemonOptions.Value.ComputerName));
            case RequestCommands.GetComputerInfo:
                return Ok(commands.ListComputers().First(c => c.IsLocal));
            case RequestCommands.ListTodos:
                var args = RedisJson.TryDeserialize<ListTodosArgs>(argsJson);
                if (args?.ProjectPath is not { Length: > 0 } path)
                {
                    return Invalid("list_todos needs args {\"project_path\": \"/abs/path\"}.");
                }

                var todos = await commands.ListTodosAsync(daemonOptions.Value.ComputerName, path, cancellationToken);
                return todos.Error is { } error ? Error(error) : Ok(todos.Value);
            case RequestCommands.StartSession:
                var request = RedisJson.TryDeserialize<Contracts.CreateSessionRequest>(argsJson);
                return request is null
                    ? Invalid("start_session needs args {\"project_path\", \"title\", \"agent\", \"message\"?}.")
                    : Result(await commands.CreateSessionAsync(request with { Computer = null }, cancellationToken));
            case RequestCommands.EndSession:
                return RedisJson.TryDeserialize<SessionActionArgs>(argsJson) is { SessionId.Length: > 0 } end
                    ? Result(await commands.EndSessionAsync(end.SessionId, cancellationToken))
                    : Invalid("end_session needs args {\"session_id\"}.");
            case RequestCommands.SendMessage:
                return RedisJson.TryDeserialize<SessionActionArgs>(argsJson) is { SessionId.Length: > 0 } send
                    ? Result(await commands.SendInputAsync(send.SessionId, new Contracts.SendInputRequest(send.Text!), cancellationToken))
                    : Invalid("send_message needs args {\"session_id\", \"text\"}.");
            default:
                return Invalid($"Unknown command '{(command.Length <= 64 ? command : command[..64])}'. Known: {RequestCommands.Known}.");
        }
    }

    private static ResponseEnvelope Result<T>(CommandResult<T> result) => result.Error is { } error ? Error(error) : Ok(result.Value);

    private static ResponseEnvelope Invalid(string message) => new(ResponseEnvelope.Failure, null, message, ErrorCodes.Name(CommandErrorKind.Invalid));

    private static ResponseEnvelope Error(CommandError error) => new(ResponseEnvelope.Failure, null, error.Message, ErrorCodes.Name(error.Kind));

    private static ResponseEnvelope Ok<T>(T data) => new(ResponseEnvelope.Success, RedisJson.ToElement(data), null);

    private async Task RespondAsync(string requestId, string initiator, ResponseEnvelope envelope)
    {
        var db = redis.GetDatabase();
        var output = RedisKeys.Output(requestId);
        var self = daemonOptions.Value.ComputerName;

        // Entry ids are unique per stream only: requests to two computers in the same millisecond share an id,
        // so the chunk names its responder and the initiator takes the one from the computer it asked.
        var add = db.StreamAddAsync(output, [new NameValueEntry("chunk", RedisJson.Serialize(envelope)), new NameValueEntry("source", self)]);
        var expire = db.KeyExpireAsync(output, redisOptions.Value.ResponseTtl);
        await Task.WhenAll(add, expire);
        await db.PublishAsync(RedisKeys.Responses(initiator), RedisRemoteDataSource.PendingKey(self, requestId), CommandFlags.FireAndForget);
    }

    private bool IsTooOld(string requestId)
    {
        var dash = requestId.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || !long.TryParse(requestId.AsSpan(0, dash), out var millis))
        {
            return false;
        }

        return time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(millis) > redisOptions.Value.RequestMaxAge;
    }

    [LoggerMessage(EventId = 550, Level = LogLevel.Warning, Message = "Skipped malformed request {RequestId}: it needs command and initiator fields.")]
    private partial void LogMalformedRequest(string requestId);

    [LoggerMessage(EventId = 551, Level = LogLevel.Error, Message = "Request {Command} ({RequestId}) failed.")]
    private partial void LogRequestFailed(string command, string requestId, Exception exception);
}
