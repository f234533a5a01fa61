using System.Text.Json;
using System.Text.Json.Serialization;

namespace TeleClaude.Contracts;

/// <summary>
/// Source-generated JSON metadata for every wire type: snake_case names and snake_case enum strings,
/// the format of the REST API, the hub's JSON protocol and the Redis payloads.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ComputerInfo))]
[JsonSerializable(typeof(IReadOnlyList<ComputerInfo>))]
[JsonSerializable(typeof(ProjectInfo))]
[JsonSerializable(typeof(IReadOnlyList<ProjectInfo>))]
[JsonSerializable(typeof(TodoInfo))]
[JsonSerializable(typeof(IReadOnlyList<TodoInfo>))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(WaitingInfo))]
[JsonSerializable(typeof(IReadOnlyList<SessionInfo>))]
[JsonSerializable(typeof(SessionsSnapshot))]
[JsonSerializable(typeof(PreparationSnapshot))]
[JsonSerializable(typeof(AgentEventInfo))]
[JsonSerializable(typeof(InputReceivedInfo))]
[JsonSerializable(typeof(ProjectsUpdate))]
[JsonSerializable(typeof(TodosUpdate))]
[JsonSerializable(typeof(CreateSessionRequest))]
[JsonSerializable(typeof(UpdateSessionRequest))]
[JsonSerializable(typeof(SendInputRequest))]
[JsonSerializable(typeof(AddProjectRequest))]
[JsonSerializable(typeof(AgentStoppedRequest))]
[JsonSerializable(typeof(AnswerRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(SessionOutput))]
[JsonSerializable(typeof(SessionMessages))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(HealthProblem))]
[JsonSerializable(typeof(DaemonVersion))]
[JsonSerializable(typeof(HubDiagnostics))]
[JsonSerializable(typeof(string))]
public sealed partial class TeleClaudeJsonContext : JsonSerializerContext
{
    /// <summary>Applies the wire format to <paramref name="options"/> (used by the hub and REST on both ends).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.TypeInfoResolverChain.Insert(0, Default);
    }
}
