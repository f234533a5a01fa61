using System.Diagnostics;
using System.Globalization;

namespace Telec.Diagnostics;

/// <summary>
/// Where start-up time goes: with <c>TELEC_TRACE=FILE</c> set, each phase appends one line
/// "milliseconds-since-process-start phase" to FILE. Off (and free) otherwise.
/// </summary>
internal static class StartupTrace
{
    private static readonly string? File = Environment.GetEnvironmentVariable("TELEC_TRACE");
    private static readonly DateTime ProcessStart = File is null ? default : Process.GetCurrentProcess().StartTime.ToUniversalTime();
    private static readonly Lock Gate = new();

    private static bool _fullDrawSeen;

    public static bool Enabled => File is not null;

    /// <summary>Marks the first draw that shows the sessions' full state: the end of start-up.</summary>
    public static void MarkFirstFullDraw(bool hasSessionsState)
    {
        if (hasSessionsState && !_fullDrawSeen)
        {
            _fullDrawSeen = true;
            Mark("first full render");
        }
    }

    public static void Mark(string phase)
    {
        if (File is null)
        {
            return;
        }

        var ms = (DateTime.UtcNow - ProcessStart).TotalMilliseconds;
        lock (Gate)
        {
            System.IO.File.AppendAllText(File, string.Create(CultureInfo.InvariantCulture, $"{ms:0.0} {phase}\n"));
        }
    }
}
