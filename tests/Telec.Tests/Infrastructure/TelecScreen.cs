namespace Telec.Tests.Infrastructure;

/// <summary>Reads the parts of a captured telec screen (capture-pane text): the preview pane, the keys line, one row.</summary>
internal static class TelecScreen
{
    private static readonly string[] PreviewTitles = ["┤Screen · ", "┤Last output · ", "┤Transcript · ", "┤Preview├"];

    /// <summary>The first line that contains <paramref name="text"/>, or "".</summary>
    public static string LineWith(string screen, string text) =>
        Lines(screen).FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) ?? "";

    /// <summary>The index of the first line that contains <paramref name="text"/>, or -1.</summary>
    public static int IndexOfLineWith(string screen, string text) =>
        Array.FindIndex(Lines(screen), l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>The preview pane's title line (its top border).</summary>
    public static string PreviewTitle(string screen) =>
        Lines(screen).FirstOrDefault(l => PreviewTitles.Any(t => l.Contains(t, StringComparison.Ordinal))) ?? "";

    /// <summary>The text inside the preview pane (between its top and bottom border), one line per row; "" without a preview.</summary>
    public static string Preview(string screen)
    {
        var lines = Lines(screen);
        var top = Array.FindIndex(lines, l => PreviewTitles.Any(t => l.Contains(t, StringComparison.Ordinal)));
        if (top < 0)
        {
            return "";
        }

        var inside = lines.Skip(top + 1).TakeWhile(l => !l.Contains('└', StringComparison.Ordinal));
        return string.Join('\n', inside.Select(l => l.Trim().Trim('│').TrimEnd()));
    }

    /// <summary>The status line: connection, the last action's outcome, last update, socket.</summary>
    public static string StatusLine(string screen) => LineWith(screen, "● ");

    /// <summary>The keys line, right above the status line.</summary>
    public static string KeysLine(string screen)
    {
        var lines = Lines(screen);
        var status = Array.FindIndex(lines, l => l.Contains("● ", StringComparison.Ordinal));
        return status > 0 ? lines[status - 1] : "";
    }

    private static string[] Lines(string screen) => screen.Split('\n');
}
