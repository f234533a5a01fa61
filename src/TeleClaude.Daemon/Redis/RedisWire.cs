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

/// <summary>The response chunk on <c>output:{request_id}</c>; <see cref="Code"/> classifies an error (invalid, not_found, unsupported, unavailable).</summary>
internal sealed record ResponseEnvelope(string Status, JsonElement? Data, string? Error, string? Code = null)
{
    public const string Success = "success";
    public const string Failure = "error";
}

/// <summary>Arguments of <c>list_todos</c>.</summary>
internal sealed record ListTodosArgs(string ProjectPath);

/// <summary>Arguments of <c>end_session</c> and <c>send_message</c>.</summary>
internal sealed record SessionActionArgs(string SessionId, string? Text = null);

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

    public const string Known = "list_sessions, list_projects, list_todos, get_computer_info, start_session, end_session, send_message";
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
internal sealed partial class RedisJsonContext : JsonSerializerContext;
