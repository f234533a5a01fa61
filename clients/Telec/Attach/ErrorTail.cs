using System.Text;
using System.Text.RegularExpressions;

namespace Telec.Attach;

/// <summary>
/// Copies a command's standard error through while keeping its end, so the last line can be shown again once the command
/// has exited (the UI that comes back covers the terminal). Bounded: only the last 4 KiB are kept.
/// </summary>
internal sealed partial class ErrorTail
{
    private const int Keep = 4096;
    private readonly Lock _gate = new();
    private readonly List<byte> _tail = [];

    /// <summary>The last line that has visible text, without control characters; null when nothing was written.</summary>
    public string? LastLine
    {
        get
        {
            string text;
            lock (_gate)
            {
                text = Encoding.UTF8.GetString([.. _tail]);
            }

            var line = TerminalSequence().Replace(text, "").Split('\n', '\r')
                .Select(l => new string(l.Where(c => !char.IsControl(c)).ToArray()).Trim())
                .LastOrDefault(l => l.Length > 0);
            return line is null ? null : line.Length <= 200 ? line : line[..199] + "…";
        }
    }

    /// <summary>Colour and cursor sequences (CSI) that a command may write to its standard error.</summary>
    [GeneratedRegex(@"\x1b\[[0-9;?]*[ -/]*[@-~]")]
    private static partial Regex TerminalSequence();

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/> until it ends, keeping the tail.</summary>
    public async Task CopyAsync(Stream source, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var buffer = new byte[1024];
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer)) > 0)
            {
                Append(buffer.AsSpan(0, read));
                try
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read));
                    await destination.FlushAsync();
                }
                catch (IOException)
                {
                    // telec's own stderr is gone (closed terminal): keep reading, the tail still matters.
                }
            }
        }
        catch (IOException)
        {
        }
    }

    /// <summary>For tests and callers that already hold the bytes.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            _tail.AddRange(bytes);
            if (_tail.Count > Keep)
            {
                _tail.RemoveRange(0, _tail.Count - Keep);
            }
        }
    }
}
