using TeleClaude.Daemon.Agents;

namespace TeleClaude.Daemon.Tests.Agents;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class TranscriptReaderUnitTests
{
    private string _path = null!;
    private AgentCounters _counters = null!;

    [SetUp]
    public void CreateFile()
    {
        _path = Path.Combine(Path.GetTempPath(), "tc-transcript-" + Guid.NewGuid().ToString("N") + ".jsonl");
        _counters = new AgentCounters();
    }

    [TearDown]
    public void DeleteFile() => File.Delete(_path);

    [Test]
    public void Read_ClaudeTranscript_GivesUserAssistantAndToolTurns_SkipsBookkeeping()
    {
        File.WriteAllLines(_path,
        [
            """{"type":"mode","mode":"normal"}""",
            """{"type":"user","message":{"role":"user","content":"please run it"},"timestamp":"2026-11-26T03:56:18.554Z"}""",
            """{"type":"attachment","attachment":{"type":"date"}}""",
            """{"type":"assistant","message":{"role":"assistant","content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"Running it."},{"type":"tool_use","id":"t","name":"Bash","input":{"command":"touch x.txt\nls","description":"d"}}]}}""",
            """{"type":"user","message":{"role":"user","content":[{"tool_use_id":"t","type":"tool_result","content":"ok"}]}}""",
            """{"type":"user","isMeta":true,"message":{"role":"user","content":"meta"}}""",
            """{"type":"assistant","isSidechain":true,"message":{"role":"assistant","content":[{"type":"text","text":"sub-agent"}]}}""",
            """{"type":"user","message":{"role":"user","content":"<command-name>/clear</command-name>"}}""",
            """{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"All done."}]}}""",
        ]);

        var page = new TranscriptReader(_counters).Read(_path, null, 50);

        Assert.That(page.Messages.Select(m => (m.Role, m.Text)), Is.EqualTo(new[]
        {
            ("user", "please run it"),
            ("assistant", "Running it."),
            ("tool", "Bash: touch x.txt ls"),
            ("assistant", "All done."),
        }));
        Assert.That(page.Messages[0].At, Is.EqualTo(DateTimeOffset.Parse("2026-11-26T03:56:18.554Z", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(page.NextCursor, Is.Null);
        Assert.That(page.SkippedLines, Is.Zero);
    }

    [Test]
    public void Read_PagesForward_FromCursors_WithinOneLineToo()
    {
        File.WriteAllLines(_path,
        [
            """{"type":"user","message":{"role":"user","content":"one"}}""",
            """{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"two"},{"type":"text","text":"three"}]}}""",
            """{"type":"user","message":{"role":"user","content":"four"}}""",
        ]);
        var reader = new TranscriptReader(_counters);

        var texts = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = reader.Read(_path, cursor, 1);
            texts.AddRange(page.Messages.Select(m => m.Text));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.That(texts, Is.EqualTo(new[] { "one", "two", "three", "four" }));
        Assert.That(reader.Read(_path, reader.Read(_path, null, 4).Messages[^1].Cursor, 10).Messages, Is.Empty, "nothing after the last message");
    }

    [Test]
    public void Read_MalformedAndOverlongLines_AreSkippedAndCounted_AndAnUnfinishedLastLineWaits()
    {
        var longLine = "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"" + new string('x', TranscriptReader.MaxLineBytes) + "\"}}";
        File.WriteAllText(_path, string.Join('\n',
            "not json at all",
            """{"type":"user","message":{"role":"user","content":"kept"}}""",
            longLine,
            "{\"truncated\":",
            """{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"still being writ""") + "\n" + """{"type":"user","message""");

        var page = new TranscriptReader(_counters).Read(_path, null, 50);

        Assert.That(page.Messages.Select(m => m.Text), Is.EqualTo(new[] { "kept" }));
        Assert.That(page.SkippedLines, Is.EqualTo(4));
        Assert.That(_counters.All.Single(c => c.Key == "transcript_lines_skipped").Value, Is.EqualTo(4));
    }

    [Test]
    public void Read_MissingFile_Throws_AndCounts()
    {
        Assert.Throws<TranscriptMissingException>(() => new TranscriptReader(_counters).Read(_path + ".gone", null, 10));
        Assert.That(_counters.All.Single(c => c.Key == "transcript_missing").Value, Is.EqualTo(1));
    }

    [TestCase("abc")]
    [TestCase("1:2:3")]
    [TestCase("-5")]
    [TestCase("12:x")]
    public void ParseCursor_Garbage_SaysWhatACursorIs(string since) =>
        Assert.That(() => TranscriptReader.ParseCursor(since), Throws.TypeOf<FormatException>().With.Message.Contains("is not a cursor"));
}
