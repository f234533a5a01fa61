using System.Text.Json;
using System.Text.Json.Serialization;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// The JSON stored at <c>computer:{name}:heartbeat</c> (see <see cref="HeartbeatCodec"/>). A peer may leave out
/// everything but its name; <see cref="LastSeen"/> is null when it did not say when it wrote the heartbeat.
/// </summary>
internal sealed record Heartbeat(
    string ComputerName,
    DateTimeOffset? LastSeen,
    string? User,
    string? Host,
    SystemStats? Stats,
    IReadOnlyList<string>? InterestedIn)
{
    public bool IsInterestedIn(string view) => InterestedIn?.Contains(view, StringComparer.Ordinal) == true;
}

/// <summary>
/// The response chunk on <c>output:{request_id}</c>; <see cref="Code"/> classifies an error (invalid, not_found,
/// unsupported, conflict, unavailable) and <see cref="Fields"/> names the invalid arguments, as the API's problem
/// documents do (both optional: older peers leave them out).
/// </summary>
internal sealed record ResponseEnvelope(string Status, JsonElement? Data, string? Error, string? Code = null, IReadOnlyDictionary<string, string[]>? Fields = null)
{
    public const string Success = "success";
    public const string Failure = "error";
}

/// <summary>Arguments of <c>list_todos</c>.</summary>
internal sealed record ListTodosArgs(string ProjectPath);

/// <summary>Arguments of <c>end_session</c> and <c>send_message</c>.</summary>
internal sealed record SessionActionArgs(string SessionId, string? Text = null);

/// <summary>
/// Arguments of <c>watch_output</c> (start or renew a lease on a session's screen stream) and <c>unwatch_output</c>.
/// <see cref="WatchId"/> tells a watcher's successive watches of one session apart, so an <c>unwatch_output</c> that
/// arrives late never ends the watch that replaced it.
/// </summary>
internal sealed record WatchOutputArgs(string SessionId, long? LeaseMs = null, string? WatchId = null);

/// <summary>
/// Answer of <c>watch_output</c>: the stream the screens go to, the lease granted (renew it within), and whether the
/// owner took it as a new watch (then the current screen is written to the stream next).
/// </summary>
internal sealed record WatchOutputGrant(string Stream, long LeaseMs, bool New);

/// <summary>Arguments of <c>answer_session</c>.</summary>
internal sealed record AnswerSessionArgs(string SessionId, string Choice);

/// <summary>Arguments of <c>get_session_messages</c>.</summary>
internal sealed record SessionMessagesArgs(string SessionId, string? Since = null, int? Limit = null);

/// <summary>Request command names on <c>messages:{computer}</c>.</summary>
internal static class RequestCommands
{
    public const string ListSessions = "list_sessions";
    public const string ListProjects = "list_projects";
    public const string ListTodos = "list_todos";
    public const string GetComputerInfo = "get_computer_info";
    public const string StartSession = "start_session";
    public const string EndSession = "end_session";
    public const string SendMessage = "send_message";
    public const string AnswerSession = "answer_session";
    public const string GetSessionMessages = "get_session_messages";
    public const string WatchOutput = "watch_output";
    public const string UnwatchOutput = "unwatch_output";

    public const string Known = "list_sessions, list_projects, list_todos, get_computer_info, start_session, end_session, send_message, " +
        "answer_session, get_session_messages, watch_output, unwatch_output";
}

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Heartbeat))]
[JsonSerializable(typeof(ResponseEnvelope))]
[JsonSerializable(typeof(ListTodosArgs))]
[JsonSerializable(typeof(SessionActionArgs))]
[JsonSerializable(typeof(WatchOutputArgs))]
[JsonSerializable(typeof(WatchOutputGrant))]
[JsonSerializable(typeof(AnswerSessionArgs))]
[JsonSerializable(typeof(SessionMessagesArgs))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string[]>))]
internal sealed partial class RedisJsonContext : JsonSerializerContext;
