using System.Text.Json;
using System.Text.Json.Serialization;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Redis;

/// <summary>The JSON stored at <c>computer:{name}:heartbeat</c>.</summary>
internal sealed record Heartbeat(
    string ComputerName,
    DateTimeOffset LastSeen,
    string User,
    string Host,
    SystemStats? Stats,
    IReadOnlyList<string>? InterestedIn)
{
    public bool IsInterestedIn(string view) => InterestedIn?.Contains(view, StringComparer.Ordinal) == true;
}

/// <summary>The response chunk on <c>output:{request_id}</c>.</summary>
internal sealed record ResponseEnvelope(string Status, JsonElement? Data, string? Error)
{
    public const string Success = "success";
    public const string Failure = "error";
}

/// <summary>Arguments of <c>list_todos</c>.</summary>
internal sealed record ListTodosArgs(string ProjectPath);

/// <summary>Request command names on <c>messages:{computer}</c>.</summary>
internal static class RequestCommands
{
    public const string ListSessions = "list_sessions";
    public const string ListProjects = "list_projects";
    public const string ListTodos = "list_todos";
    public const string GetComputerInfo = "get_computer_info";
}

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Heartbeat))]
[JsonSerializable(typeof(ResponseEnvelope))]
[JsonSerializable(typeof(ListTodosArgs))]
internal sealed partial class RedisJsonContext : JsonSerializerContext;
