using System.Text.Json;
using System.Text.Json.Serialization;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Redis;

/// <summary>JSON of the Redis wire contract: snake_case names and enum strings, nulls left out.</summary>
internal static class RedisJson
{
    public static JsonSerializerOptions Options { get; } = Create(JsonIgnoreCondition.WhenWritingNull);

    /// <summary>The same format with nulls written: sessions, so that a receiver merging them clears what was cleared.</summary>
    public static JsonSerializerOptions WithNulls { get; } = Create(JsonIgnoreCondition.Never);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static JsonElement ToElement<T>(T value) => JsonSerializer.SerializeToElement(value, Options);

    /// <summary>Parses <paramref name="json"/>; null when it is not valid JSON of that shape.</summary>
    public static T? TryDeserialize<T>(string? json) where T : class
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static T? TryDeserialize<T>(JsonElement element) where T : class
    {
        try
        {
            return element.Deserialize<T>(Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonSerializerOptions Create(JsonIgnoreCondition ignore)
    {
        // The API's wire format (snake_case names and enums), plus: quotes and non-ASCII kept readable because
        // payloads are read with redis-cli too (never embedded in HTML).
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = ignore,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        TeleClaudeJsonContext.Configure(options);
        options.TypeInfoResolverChain.Add(RedisJsonContext.Default);
        options.MakeReadOnly();
        return options;
    }
}
