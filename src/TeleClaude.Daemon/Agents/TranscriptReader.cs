using System.Buffers;
using System.Globalization;
using System.Text.Json;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Agents;

/// <summary>A page read from a transcript.</summary>
/// <param name="Messages">The messages after the cursor, at most the limit.</param>
/// <param name="NextCursor">Where the next page starts; null when the page reached the end of the file so far.</param>
/// <param name="SkippedLines">Lines that were not JSON or too long, skipped (and counted).</param>
internal sealed record TranscriptPage(IReadOnlyList<SessionMessage> Messages, string? NextCursor, int SkippedLines);

/// <summary>The transcript file does not exist (any more).</summary>
internal sealed class TranscriptMissingException(string path) : Exception($"The transcript file '{path}' does not exist (any more).");

/// <summary>
/// Reads a Claude Code transcript (JSONL: one JSON object per line) forward from a cursor, a page at a time: the
/// file is never loaded whole. A cursor is <c>OFFSET:INDEX</c>, the byte offset where a line starts and the index of
/// a message within it (one line can hold several content blocks); a plain <c>OFFSET</c> starts at that line. Only
/// user and assistant turns become messages: text as it is, each tool call as one summary line (role <c>tool</c>);
/// tool results, thinking, meta and side-chain (sub-agent) records and the transcript's bookkeeping lines are left
/// out. A line that is not JSON or longer than <see cref="MaxLineBytes"/> is skipped and counted; a line still
/// being written (no newline yet) waits for the next read.
/// </summary>
internal sealed class TranscriptReader(AgentCounters counters)
{
    public const int MaxLineBytes = 4 * 1024 * 1024;

    /// <summary>Most bytes one request scans, so a page over a huge stretch of skipped lines still answers quickly.</summary>
    public const long MaxScanBytes = 64L * 1024 * 1024;

    private const int MaxToolSummary = 200;

    /// <summary>Parses a cursor; throws <see cref="FormatException"/> with a message naming the expected form.</summary>
    public static (long Offset, int Index) ParseCursor(string? since)
    {
        if (string.IsNullOrEmpty(since))
        {
            return (0, -1);
        }

        var parts = since.Split(':');
        if (parts.Length is 1 or 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            && (parts.Length == 1 || int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return (offset, parts.Length == 1 ? -1 : int.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        throw new FormatException($"'{since}' is not a cursor: pass a message's cursor (e.g. 1234:0) or a page's next_cursor.");
    }

    public TranscriptPage Read(string path, string? since, int limit)
    {
        var (start, skipUpTo) = ParseCursor(since);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            counters.TranscriptMissing();
            throw new TranscriptMissingException(path);
        }

        using (file)
        {
            if (start >= file.Length)
            {
                return new TranscriptPage([], null, 0);
            }

            file.Seek(start, SeekOrigin.Begin);
            var messages = new List<SessionMessage>();
            var skipped = 0;
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            var line = new ArrayBufferWriter<byte>();
            var lineStart = start;
            var position = start;
            var tooLong = false;
            try
            {
                int read;
                while ((read = file.Read(buffer, 0, buffer.Length)) > 0)
                {
                    var span = buffer.AsSpan(0, read);
                    while (!span.IsEmpty)
                    {
                        var newline = span.IndexOf((byte)'\n');
                        var part = newline < 0 ? span : span[..newline];
                        if (!tooLong && line.WrittenCount + part.Length <= MaxLineBytes)
                        {
                            line.Write(part);
                        }
                        else
                        {
                            tooLong = true;
                        }

                        position += part.Length;
                        if (newline < 0)
                        {
                            break;
                        }

                        position++;
                        span = span[(newline + 1)..];
                        if (tooLong)
                        {
                            skipped++;
                        }
                        else if (!AddMessages(line.WrittenSpan, lineStart, lineStart == start ? skipUpTo : -1, messages, limit))
                        {
                            skipped++;
                        }

                        line.Clear();
                        tooLong = false;
                        lineStart = position;
                        if (messages.Count >= limit)
                        {
                            counters.TranscriptLinesSkipped(skipped);
                            return new TranscriptPage(messages, messages[^1].Cursor, skipped);
                        }

                        if (position - start > MaxScanBytes)
                        {
                            counters.TranscriptLinesSkipped(skipped);
                            return new TranscriptPage(messages, lineStart.ToString(CultureInfo.InvariantCulture), skipped);
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            counters.TranscriptLinesSkipped(skipped);
            return new TranscriptPage(messages, null, skipped);
        }
    }

    /// <summary>Adds the messages of one line; false when the line is not JSON.</summary>
    private static bool AddMessages(ReadOnlySpan<byte> json, long lineStart, int skipUpTo, List<SessionMessage> messages, int limit)
    {
        if (json.Trim((byte)'\r').IsEmpty)
        {
            return true;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException)
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || type.GetString() is not ("user" or "assistant")
                || IsTrue(root, "isMeta") || IsTrue(root, "isSidechain")
                || !root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object
                || !message.TryGetProperty("content", out var content))
            {
                return true;
            }

            var role = type.GetString()!;
            DateTimeOffset? at = root.TryGetProperty("timestamp", out var ts) && ts.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(ts.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
            var index = 0;
            void Add(string messageRole, string text)
            {
                if (index > skipUpTo && messages.Count < limit)
                {
                    messages.Add(new SessionMessage($"{lineStart}:{index}", messageRole, text, at));
                }

                index++;
            }

            if (content.ValueKind == JsonValueKind.String)
            {
                if (!IsBookkeeping(content.GetString()!))
                {
                    Add(role, content.GetString()!);
                }
            }
            else if (content.ValueKind == JsonValueKind.Array)
            {
                foreach (var block in content.EnumerateArray())
                {
                    var kind = block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var k) ? k.GetString() : null;
                    if (kind == "text" && block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String && !IsBookkeeping(text.GetString()!))
                    {
                        Add(role, text.GetString()!);
                    }
                    else if (kind == "tool_use")
                    {
                        Add("tool", SummarizeTool(block));
                    }
                }
            }

            return true;
        }
    }

    /// <summary>"Bash: ls -la": the tool and its most telling argument, on one line.</summary>
    private static string SummarizeTool(JsonElement block)
    {
        var name = block.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : "tool";
        string? detail = null;
        if (block.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object)
        {
            foreach (var key in new[] { "command", "file_path", "path", "pattern", "url", "query", "description", "prompt" })
            {
                if (input.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    detail = value.GetString();
                    break;
                }
            }

            detail ??= input.GetRawText();
        }

        var line = $"{name}: {detail}".ReplaceLineEndings(" ");
        return line.Length > MaxToolSummary ? line[..MaxToolSummary] + "…" : line;
    }

    // Claude Code records its own slash-command echoes and caveats as user text; they are not part of the conversation.
    private static bool IsBookkeeping(string text) =>
        text.StartsWith("<command-", StringComparison.Ordinal) || text.StartsWith("<local-command-", StringComparison.Ordinal)
        || text.StartsWith("Caveat: The messages below", StringComparison.Ordinal);

    private static bool IsTrue(JsonElement root, string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
