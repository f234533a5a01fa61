using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>The session-event decoder: every kind of bad entry is refused with a reason, never an exception.</summary>
internal sealed class StreamEntryDecoderUnitTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);
    private static readonly SessionInfo Valid = new("s1", "bravo", "Title", "/src/p", SessionStatus.Active, "claude", Now, Now, "in", "out");

    private static StreamEntry Entry(params (string Name, string Value)[] fields) =>
        new("1-0", fields.Select(f => new NameValueEntry(f.Name, f.Value)).ToArray());

    [Test]
    public void TryDecode_AcceptsValidEntry_WithEventSpecificField()
    {
        var data = RedisJson.Serialize(Valid).TrimEnd('}') + ",\"summary\":\"all done\"}";

        var ok = SessionEventReceiver.TryDecode(Entry(("event", "agent_event"), ("source", "bravo"), ("data", data)), out var name, out var session, out var detail, out _);

        Assert.That(ok, Is.True);
        Assert.That((name, session, detail), Is.EqualTo(("agent_event", Valid, "all done")));
    }

    [TestCase("missing data", "event=new_session", "source=bravo")]
    [TestCase("missing source", "event=new_session", "data={}")]
    [TestCase("unknown event", "event=drop_tables", "source=bravo", "data={VALID}")]
    [TestCase("bad json", "event=new_session", "source=bravo", "data={\"session_id\":")]
    [TestCase("not an object", "event=new_session", "source=bravo", "data=[1,2,3]")]
    [TestCase("wrong source", "event=new_session", "source=mallory", "data={VALID}")]
    [TestCase("wrong types", "event=new_session", "source=bravo", "data={\"session_id\":5,\"computer\":\"bravo\"}")]
    [TestCase("missing fields", "event=new_session", "source=bravo", "data={\"session_id\":\"x\",\"computer\":\"bravo\"}")]
    [TestCase("bad enum", "event=new_session", "source=bravo", "data={\"session_id\":\"x\",\"computer\":\"bravo\",\"status\":\"exploded\"}")]
    public void TryDecode_RefusesMalformedEntry_WithReason(string what, params string[] fields)
    {
        var entry = Entry(fields.Select(f => f.Split('=', 2)).Select(p => (p[0], p[1].Replace("{VALID}", RedisJson.Serialize(Valid), StringComparison.Ordinal))).ToArray());

        var ok = SessionEventReceiver.TryDecode(entry, out _, out _, out _, out var problem);

        Assert.That(ok, Is.False, what);
        Assert.That(problem, Is.Not.Empty, what);
    }

    /// <summary>A small fuzz loop: random mutations of a valid entry never throw, and anything accepted is a complete session from its source.</summary>
    [Test]
    public void TryDecode_NeverThrows_OnRandomMutations()
    {
        var random = new Random(20261126);
        var json = RedisJson.Serialize(Valid);
        string[] events = [SessionEventNames.NewSession, SessionEventNames.SessionUpdated, SessionEventNames.AgentEvent, "x", ""];
        for (var i = 0; i < 5000; i++)
        {
            var chars = json.ToCharArray();
            for (var m = random.Next(1, 6); m > 0; m--)
            {
                chars[random.Next(chars.Length)] = (char)random.Next(0, 128);
            }

            var mutated = random.Next(4) == 0 ? new string(chars, 0, random.Next(chars.Length)) : new string(chars);
            var fields = new List<(string, string)> { ("event", events[random.Next(events.Length)]), ("source", random.Next(5) == 0 ? "mallory" : "bravo"), ("data", mutated) };
            if (random.Next(6) == 0)
            {
                fields.RemoveAt(random.Next(fields.Count));
            }

            bool ok = false;
            SessionInfo? session = null;
            Assert.DoesNotThrow(() => ok = SessionEventReceiver.TryDecode(Entry([.. fields]), out _, out session, out _, out _), mutated);
            if (ok)
            {
                Assert.That(session!.Computer, Is.EqualTo("bravo"));
                Assert.That(session.SessionId, Is.Not.Empty);
            }
        }
    }
}
