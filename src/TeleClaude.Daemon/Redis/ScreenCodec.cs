using System.Globalization;
using StackExchange.Redis;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// The one writer and the one reader of entries on <c>screen:{owner}:{session_id}</c>: <c>session_id</c>, <c>source</c>
/// (the owner), <c>captured_at</c> (ISO 8601; epoch seconds or milliseconds are read too) and <c>screen</c> (plain text,
/// lines separated by <c>\n</c>). Strict where identity is concerned (the session and the owner must be the stream's),
/// and the screen must be there and at most <see cref="MaxScreenChars"/> long.
/// </summary>
internal static class ScreenCodec
{
    /// <summary>
    /// The longest screen read (and written: a longer one keeps its tail). A screen is the pane plus at most
    /// <c>Sessions:OutputLines</c> (≤ 2,000) lines of history, so real ones stay far below; the bound keeps a bad writer
    /// from making a watcher push megabytes to its clients.
    /// </summary>
    public const int MaxScreenChars = 1 << 20;

    public static NameValueEntry[] Encode(SessionOutput output, string source) =>
    [
        new("session_id", output.SessionId),
        new("source", source),
        new("captured_at", output.CapturedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
        new("screen", output.Screen.Length <= MaxScreenChars ? output.Screen : output.Screen[^MaxScreenChars..]),
    ];

    /// <summary>Bytes an entry puts on the wire (field names and values, UTF-8), for the traffic counters.</summary>
    public static long Size(NameValueEntry[] fields)
    {
        long bytes = 0;
        foreach (var field in fields)
        {
            bytes += System.Text.Encoding.UTF8.GetByteCount((string)field.Name!) + System.Text.Encoding.UTF8.GetByteCount((string?)field.Value ?? "");
        }

        return bytes;
    }

    /// <summary>Decodes a screen of <paramref name="sessionId"/> written by <paramref name="owner"/>; false with the reason.</summary>
    public static bool TryDecode(StreamEntry entry, string owner, string sessionId, out SessionOutput output, out string problem)
    {
        output = null!;
        var id = (string?)entry["session_id"];
        if (id != sessionId)
        {
            problem = $"its session_id {WireValues.Clip(id)} is not the stream's session {sessionId}";
            return false;
        }

        var source = (string?)entry["source"];
        if (!string.IsNullOrEmpty(source) && source != owner)
        {
            problem = $"its source {WireValues.Clip(source)} is not the session's computer {owner}";
            return false;
        }

        var screen = entry["screen"];
        if (screen.IsNull)
        {
            problem = "it has no screen field";
            return false;
        }

        // Length first: an oversized value is refused before it is turned into a string.
        if (screen.Length() > MaxScreenChars * 4L)
        {
            problem = $"its screen is {screen.Length():N0} bytes, more than the {MaxScreenChars:N0} characters a screen may have";
            return false;
        }

        var text = (string)screen!;
        if (text.Length > MaxScreenChars)
        {
            problem = $"its screen is {text.Length:N0} characters, more than the {MaxScreenChars:N0} a screen may have";
            return false;
        }

        output = new SessionOutput(sessionId, owner, text, CapturedAt((string?)entry["captured_at"]) ?? TimeOfId(entry.Id.ToString()));
        problem = "";
        return true;
    }

    private static DateTimeOffset? CapturedAt(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var epoch) && epoch >= 0)
        {
            // As WireValues reads epochs: below 1e11 seconds, else milliseconds.
            var milliseconds = epoch < 1e11 ? epoch * 1000 : epoch;
            return milliseconds <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() ? DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds) : null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : null;
    }

    /// <summary>An entry without a readable time was written when its id says (milliseconds of the Redis clock).</summary>
    private static DateTimeOffset TimeOfId(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && long.TryParse(id.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.UnixEpoch;
    }
}
