using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using TeleClaude.Contracts;

namespace TeleClaude.Client;

/// <summary>
/// The wire format (snake_case names and enum values) for clients, built only from source-generated metadata and
/// generic enum converters, so it works in trimmed and native AOT builds (telec ships as one). Same JSON as
/// <see cref="TeleClaudeJsonContext.Configure"/>, which the daemon uses.
/// </summary>
public static class WireJson
{
    /// <summary>Options for REST bodies and hub payloads.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Applies the wire format to <paramref name="options"/> (e.g. the hub's payload options).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new JsonStringEnumConverter<ComputerStatus>(JsonNamingPolicy.SnakeCaseLower));
        options.Converters.Add(new JsonStringEnumConverter<SessionStatus>(JsonNamingPolicy.SnakeCaseLower));
        options.Converters.Add(new JsonStringEnumConverter<TodoStatus>(JsonNamingPolicy.SnakeCaseLower));
        options.Converters.Add(new JsonStringEnumConverter<ProjectSource>(JsonNamingPolicy.SnakeCaseLower));
        options.TypeInfoResolver = JsonTypeInfoResolver.Combine(TeleClaudeJsonContext.Default, ClientJsonContext.Default);
    }

    /// <summary>Metadata of <typeparamref name="T"/> in <see cref="Options"/>.</summary>
    public static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly();
        return options;
    }
}

/// <summary>Body of <c>POST /sessions/{id}/answer</c>, until the contract's own record lands.</summary>
/// <param name="Choice">The key of one of the waiting session's choices.</param>
internal sealed record AnswerBody(string Choice);

/// <summary>Client-side wire types that are not (yet) in the contracts.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AnswerBody))]
[JsonSerializable(typeof(ProblemBody))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;

/// <summary>The part of an RFC 7807 problem document a client shows.</summary>
internal sealed record ProblemBody(string? Title, string? Detail);
