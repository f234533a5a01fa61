using System.Globalization;

namespace TeleClaude.Daemon.Redis;

/// <summary>Redis stream entry ids (<c>milliseconds-sequence</c>) compared as numbers, not as text.</summary>
internal static class StreamId
{
    public const string Start = "0-0";

    /// <summary>Negative, zero or positive as <paramref name="a"/> is before, equal to or after <paramref name="b"/>; unparseable ids count as <see cref="Start"/>.</summary>
    public static int Compare(string? a, string? b)
    {
        var (am, asq) = Parse(a);
        var (bm, bsq) = Parse(b);
        return am != bm ? am.CompareTo(bm) : asq.CompareTo(bsq);
    }

    private static (ulong Ms, ulong Seq) Parse(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return (0, 0);
        }

        var dash = id.IndexOf('-', StringComparison.Ordinal);
        var msText = dash < 0 ? id.AsSpan() : id.AsSpan(0, dash);
        var seqText = dash < 0 ? "0".AsSpan() : id.AsSpan(dash + 1);
        return ulong.TryParse(msText, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            && ulong.TryParse(seqText, NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            ? (ms, seq)
            : (0, 0);
    }
}
