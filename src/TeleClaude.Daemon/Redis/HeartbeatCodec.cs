using System.Text.Json;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// The one writer and the one reader of heartbeats (the value of <c>computer:{name}:heartbeat</c>, and the same JSON
/// on the heartbeat channel). Strict about identity: the name must be a valid computer name and, when read from a key,
/// the key's name (the JSON's <c>computer_name</c> may then be left out). Tolerant about the rest: <c>last_seen</c>
/// (ISO 8601 or epoch), <c>user</c>, <c>host</c>, <c>stats</c> and <c>interested_in</c> are optional, and a field of
/// the wrong shape is ignored.
/// </summary>
internal static class HeartbeatCodec
{
    public static string Encode(Heartbeat heartbeat) => RedisJson.Serialize(heartbeat);

    /// <summary>Reads a heartbeat; <paramref name="keyComputer"/> is the name in the key it was read from (null for the channel).</summary>
    public static bool TryDecode(string? json, string? keyComputer, out Heartbeat heartbeat, out string problem)
    {
        heartbeat = null!;
        if (string.IsNullOrEmpty(json))
        {
            problem = "empty heartbeat";
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "the heartbeat is not a JSON object";
                return false;
            }

            var name = root.TryGetProperty("computer_name", out var nameValue) && nameValue.ValueKind == JsonValueKind.String ? nameValue.GetString() : null;
            if (keyComputer is not null && name is not null && name != keyComputer)
            {
                problem = $"computer_name '{WireValues.Clip(name)}' is not the key's computer '{keyComputer}'";
                return false;
            }

            name ??= keyComputer;
            if (!SessionCodec.IsComputerName(name))
            {
                problem = $"computer name '{WireValues.Clip(name)}' is missing or invalid";
                return false;
            }

            DateTimeOffset? lastSeen = root.TryGetProperty("last_seen", out var seen) && WireValues.TryTimestamp(seen, out var at) ? at : null;
            heartbeat = new Heartbeat(
                name!,
                lastSeen,
                OptionalString(root, "user"),
                OptionalString(root, "host"),
                root.TryGetProperty("stats", out var stats) && stats.ValueKind == JsonValueKind.Object ? RedisJson.TryDeserialize<SystemStats>(stats) : null,
                Interests(root));
            problem = "";
            return true;
        }
        catch (JsonException ex)
        {
            problem = $"the heartbeat is not JSON: {ex.Message}";
            return false;
        }
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string[]? Interests(JsonElement root)
    {
        if (!root.TryGetProperty("interested_in", out var value) || value.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var views = value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToArray();
        return views.Length == 0 ? null : views;
    }
}
