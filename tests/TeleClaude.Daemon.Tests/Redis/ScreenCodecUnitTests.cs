using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>Screen entries on <c>screen:{owner}:{session}</c>: what the owner writes is read back; bad entries say why.</summary>
[TestFixture]
[CancelAfter(10_000)]
internal sealed class ScreenCodecUnitTests
{
    private static StreamEntry Entry(params (string Name, string Value)[] fields) =>
        new("1767225600000-0", fields.Select(f => new NameValueEntry(f.Name, f.Value)).ToArray());

    [Test]
    public void Encode_ThenDecode_GivesTheSameScreen()
    {
        var output = new SessionOutput("s1", "bravo", "line one\nline two ✓", new DateTimeOffset(2026, 11, 27, 10, 0, 0, 123, TimeSpan.Zero));
        var entry = new StreamEntry("1-0", ScreenCodec.Encode(output, "bravo"));

        Assert.That(ScreenCodec.TryDecode(entry, "bravo", "s1", out var decoded, out var problem), Is.True, problem);
        Assert.That(decoded, Is.EqualTo(output));
    }

    [Test]
    public void Encode_KeepsTheTailOfAnOversizedScreen()
    {
        var screen = new string('a', 10) + new string('b', ScreenCodec.MaxScreenChars);
        var fields = ScreenCodec.Encode(new SessionOutput("s1", "bravo", screen, DateTimeOffset.UnixEpoch), "bravo");

        var written = (string)fields.Single(f => f.Name == "screen").Value!;
        Assert.That(written, Has.Length.EqualTo(ScreenCodec.MaxScreenChars));
        Assert.That(written, Does.Not.Contain("a"));
    }

    [TestCase("1767225600", 1767225600000L)]
    [TestCase("1767225600123", 1767225600123L)]
    [TestCase("2026-01-01T00:00:00Z", 1767225600000L)]
    [TestCase("2026-01-01T00:00:00", 1767225600000L)]
    [TestCase("not a time", 1767225600000L)]
    public void TryDecode_ReadsTheCaptureTimeInEveryCommonForm_ElseTheEntryIdsTime(string capturedAt, long expectedMs)
    {
        var entry = Entry(("session_id", "s1"), ("captured_at", capturedAt), ("screen", "x"));

        Assert.That(ScreenCodec.TryDecode(entry, "bravo", "s1", out var output, out _), Is.True);
        Assert.That(output.CapturedAt.ToUnixTimeMilliseconds(), Is.EqualTo(expectedMs));
        Assert.That(output.Computer, Is.EqualTo("bravo"), "source is optional; the computer is the stream's owner");
    }

    [Test]
    public void TryDecode_RefusesEntriesOfAnotherSessionOrWriter_WithoutScreen_OrOversized()
    {
        var cases = new[]
        {
            (Entry(("session_id", "s2"), ("screen", "x")), "is not the stream's session s1"),
            (Entry(("screen", "x")), "session_id (null)"),
            (Entry(("session_id", "s1"), ("source", "mallory"), ("screen", "x")), "is not the session's computer bravo"),
            (Entry(("session_id", "s1"), ("source", "bravo")), "no screen field"),
            (Entry(("session_id", "s1"), ("screen", new string('x', ScreenCodec.MaxScreenChars + 1))), "more than the 1,048,576"),
        };

        foreach (var (entry, reason) in cases)
        {
            Assert.That(ScreenCodec.TryDecode(entry, "bravo", "s1", out _, out var problem), Is.False, reason);
            Assert.That(problem, Does.Contain(reason));
        }
    }
}
