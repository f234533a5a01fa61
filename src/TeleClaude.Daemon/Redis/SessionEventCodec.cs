using System.Text.Json;
using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;

namespace TeleClaude.Daemon.Redis;

/// <summary>One entry of <c>session_events:{computer}</c> as read: the event, the (partial) session, and its detail.</summary>
/// <param name="EventName">One of <see cref="SessionEventNames"/>.</param>
/// <param name="Source">The computer that sent it (the <c>source</c> field).</param>
/// <param name="Session">The session fields the entry carried.</param>
/// <param name="Detail">The <c>summary</c> of an agent_event or the <c>input</c> of an input_received.</param>
internal sealed record SessionEvent(string EventName, string Source, SessionPatch Session, string? Detail);

/// <summary>
/// The one writer and the one reader of <c>session_events</c> entries: <c>event</c>, <c>source</c>, <c>data</c>
/// (the session object, see <see cref="SessionCodec"/>, plus <c>summary</c> or <c>input</c> for the events that have one).
/// Entry-level checks (and later its signature) belong here.
/// </summary>
internal static class SessionEventCodec
{
    private static readonly HashSet<string> KnownEvents = new(StringComparer.Ordinal)
    {
        SessionEventNames.NewSession,
        SessionEventNames.SessionUpdated,
        SessionEventNames.SessionTerminated,
        SessionEventNames.AgentEvent,
        SessionEventNames.InputReceived,
    };

    /// <summary>The fields of the entry for <paramref name="eventName"/> on <paramref name="session"/>, sent by <paramref name="source"/>.</summary>
    public static NameValueEntry[] Encode(string eventName, SessionInfo session, string? detail, string source)
    {
        var data = SessionCodec.Write(session);
        if (detail is not null)
        {
            data[DetailField(eventName)] = detail;
        }

        return
        [
            new("event", eventName),
            new("source", source),
            new("data", data.ToJsonString(RedisJson.WithNulls)),
        ];
    }

    /// <summary>Decodes one entry; false with the reason when the entry cannot be applied.</summary>
    public static bool TryDecode(StreamEntry entry, out SessionEvent sessionEvent, out string problem)
    {
        sessionEvent = null!;
        var name = (string?)entry["event"];
        var source = (string?)entry["source"];
        var data = (string?)entry["data"];
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(source) || string.IsNullOrEmpty(data))
        {
            problem = "missing event, source or data field";
            return false;
        }

        if (!KnownEvents.Contains(name))
        {
            problem = $"unknown event '{WireValues.Clip(name)}'";
            return false;
        }

        if (!SessionCodec.IsComputerName(source))
        {
            problem = $"source '{WireValues.Clip(source)}' is not a computer name";
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(data);
            if (!SessionCodec.TryRead(doc.RootElement, source, out var session, out problem))
            {
                return false;
            }

            string? detail = null;
            if (name is SessionEventNames.AgentEvent or SessionEventNames.InputReceived
                && doc.RootElement.TryGetProperty(DetailField(name), out var value) && value.ValueKind == JsonValueKind.String)
            {
                detail = value.GetString();
            }

            sessionEvent = new SessionEvent(name, source, session, detail);
            return true;
        }
        catch (JsonException ex)
        {
            problem = $"data is not JSON: {ex.Message}";
            return false;
        }
    }

    private static string DetailField(string eventName) => eventName == SessionEventNames.AgentEvent ? "summary" : "input";
}
