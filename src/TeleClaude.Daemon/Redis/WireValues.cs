using System.Globalization;
using System.Text.Json;

namespace TeleClaude.Daemon.Redis;

/// <summary>Tolerant reads of scalar JSON values written by any peer (this daemon, the original system, redis-cli).</summary>
internal static class WireValues
{
    // Epoch numbers below this are seconds, above it milliseconds (1e11 s is the year 5138; 1e11 ms is 1973).
    private const double MillisecondsThreshold = 1e11;

    /// <summary>
    /// A point in time: an ISO 8601 string (with or without offset; none means UTC, as Python's
    /// <c>datetime.utcnow().isoformat()</c> writes it), or Unix epoch seconds or milliseconds as a number or a numeric string.
    /// </summary>
    public static bool TryTimestamp(JsonElement value, out DateTimeOffset timestamp)
    {
        timestamp = default;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetDouble(out var epoch):
                return TryEpoch(epoch, out timestamp);
            case JsonValueKind.String:
                var text = value.GetString()!.Trim();
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return TryEpoch(number, out timestamp);
                }

                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                {
                    timestamp = parsed;
                    return true;
                }

                return false;
            default:
                return false;
        }
    }

    private static bool TryEpoch(double epoch, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if (double.IsNaN(epoch) || epoch < 0)
        {
            return false;
        }

        var milliseconds = epoch < MillisecondsThreshold ? epoch * 1000 : epoch;
        if (milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        timestamp = DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);
        return true;
    }

    /// <summary>A string, or null for JSON null; false for any other kind.</summary>
    public static bool TryStringOrNull(JsonElement value, out string? text)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                text = value.GetString();
                return true;
            case JsonValueKind.Null:
                text = null;
                return true;
            default:
                text = null;
                return false;
        }
    }

    /// <summary>Shortens text for a log line or an error message.</summary>
    public static string Clip(string? text, int max = 64) =>
        text is null ? "(null)" : text.Length <= max ? text : text[..max] + "...";
}
