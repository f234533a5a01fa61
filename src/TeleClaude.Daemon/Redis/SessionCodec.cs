using System.Text.Json;
using System.Text.Json.Nodes;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// The one writer and the one reader of a session on the Redis wire (event data, list_sessions answers, action
/// answers, replay). The reader is strict where identity is concerned (a non-empty <c>session_id</c>; a
/// <c>computer</c>, when sent, must be the source) and tolerant about everything else: every other field is optional,
/// unknown fields are ignored, <c>working_directory</c> (the original system's name) is the project path, unknown
/// status strings are <see cref="SessionStatus.Unknown"/>, timestamps may be ISO 8601 or epoch numbers, and a field of
/// the wrong type is ignored as if it had not been sent. The result is a <see cref="SessionPatch"/> to merge.
/// </summary>
internal static class SessionCodec
{
    /// <summary>Longest session id accepted (ids are keys of the cache and appear in logs).</summary>
    public const int MaxSessionIdLength = 256;

    /// <summary>The session as JSON with every field, nulls included, so a receiver that merges clears what was cleared.</summary>
    public static JsonObject Write(SessionInfo session) =>
        (JsonObject)JsonSerializer.SerializeToNode(session, RedisJson.WithNulls)!;

    /// <summary>One session (an action's answer) as JSON, nulls included.</summary>
    public static JsonElement WriteElement(SessionInfo session) =>
        JsonSerializer.SerializeToElement(session, RedisJson.WithNulls);

    /// <summary>A list of sessions (a list_sessions answer) as JSON, nulls included.</summary>
    public static JsonElement WriteList(IReadOnlyList<SessionInfo> sessions) =>
        JsonSerializer.SerializeToElement(sessions, RedisJson.WithNulls);

    /// <summary>Reads one session object sent by <paramref name="source"/>; false with the reason when its identity is missing or wrong.</summary>
    public static bool TryRead(JsonElement data, string source, out SessionPatch patch, out string problem)
    {
        patch = null!;
        if (data.ValueKind != JsonValueKind.Object)
        {
            problem = "the session is not a JSON object";
            return false;
        }

        if (!data.TryGetProperty("session_id", out var idValue) || idValue.ValueKind != JsonValueKind.String
            || idValue.GetString() is not { Length: > 0 and <= MaxSessionIdLength } sessionId)
        {
            problem = "the session has no session_id (a non-empty string)";
            return false;
        }

        if (data.TryGetProperty("computer", out var computerValue) && computerValue.ValueKind != JsonValueKind.Null
            && (computerValue.ValueKind != JsonValueKind.String || computerValue.GetString() != source))
        {
            problem = $"session {WireValues.Clip(sessionId)} names computer {WireValues.Clip(computerValue.ToString())}, not its source {source}";
            return false;
        }

        var present = SessionFields.None;
        string? title = null, projectPath = null, agent = null, lastInput = null, lastOutput = null, lastMessage = null, tmuxSocket = null, tmuxSession = null;
        DateTimeOffset? createdAt = null, lastActivity = null;
        var status = SessionStatus.Unknown;
        WaitingInfo? waiting = null;
        var hasTranscript = false;
        foreach (var property in data.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "title":
                    Text(value, SessionFields.Title, ref title, ref present);
                    break;
                case "project_path":
                    Text(value, SessionFields.ProjectPath, ref projectPath, ref present);
                    break;
                case "working_directory" when !data.TryGetProperty("project_path", out _):
                    Text(value, SessionFields.ProjectPath, ref projectPath, ref present);
                    break;
                case "agent":
                    Text(value, SessionFields.Agent, ref agent, ref present);
                    break;
                case "last_input":
                    Text(value, SessionFields.LastInput, ref lastInput, ref present);
                    break;
                case "last_output":
                    Text(value, SessionFields.LastOutput, ref lastOutput, ref present);
                    break;
                case "last_message":
                    Text(value, SessionFields.LastMessage, ref lastMessage, ref present);
                    break;
                case "tmux_socket":
                    Text(value, SessionFields.TmuxSocket, ref tmuxSocket, ref present);
                    break;
                case "tmux_session":
                    Text(value, SessionFields.TmuxSession, ref tmuxSession, ref present);
                    break;
                case "created_at":
                    Time(value, SessionFields.CreatedAt, ref createdAt, ref present);
                    break;
                case "last_activity":
                    Time(value, SessionFields.LastActivity, ref lastActivity, ref present);
                    break;
                case "status" when value.ValueKind == JsonValueKind.String:
                    status = Status(value.GetString()!);
                    present |= SessionFields.Status;
                    break;
                case "has_transcript" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    hasTranscript = value.GetBoolean();
                    present |= SessionFields.HasTranscript;
                    break;
                case "waiting" when value.ValueKind == JsonValueKind.Null:
                    present |= SessionFields.Waiting;
                    break;
                case "waiting" when value.ValueKind == JsonValueKind.Object:
                    if (RedisJson.TryDeserialize<WaitingInfo>(value) is { Kind: not null, Text: not null } read)
                    {
                        waiting = read with { Choices = read.Choices ?? [] };
                        present |= SessionFields.Waiting;
                    }

                    break;
            }
        }

        patch = new SessionPatch(
            new SessionInfo(sessionId, source, title, projectPath, status, agent, createdAt, lastActivity, lastInput, lastOutput,
                waiting, lastMessage, tmuxSocket, tmuxSession, hasTranscript),
            present);
        problem = "";
        return true;
    }

    /// <summary>A status string of any peer; what this daemon does not know is <see cref="SessionStatus.Unknown"/>.</summary>
    public static SessionStatus Status(string text) => text.Trim().ToLowerInvariant() switch
    {
        "starting" => SessionStatus.Starting,
        "active" => SessionStatus.Active,
        "idle" => SessionStatus.Idle,
        "terminated" => SessionStatus.Terminated,
        "waiting" => SessionStatus.Waiting,
        _ => SessionStatus.Unknown,
    };

    private static void Text(JsonElement value, SessionFields field, ref string? target, ref SessionFields present)
    {
        if (WireValues.TryStringOrNull(value, out var text))
        {
            target = text;
            present |= field;
        }
    }

    private static void Time(JsonElement value, SessionFields field, ref DateTimeOffset? target, ref SessionFields present)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            target = null;
            present |= field;
        }
        else if (WireValues.TryTimestamp(value, out var time))
        {
            target = time;
            present |= field;
        }
    }

    /// <summary>True for a computer name this daemon accepts from the wire (the same rule as its own name).</summary>
    public static bool IsComputerName(string? name) => name is not null && DaemonOptionsValidator.ComputerNamePattern().IsMatch(name);
}
