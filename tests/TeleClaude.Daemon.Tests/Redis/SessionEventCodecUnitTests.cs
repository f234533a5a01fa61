using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// The session-event codec: what this daemon writes reads back as the same session; entries without identity are
/// refused with a reason (never an exception); everything else a peer may leave out or name differently.
/// </summary>
internal sealed class SessionEventCodecUnitTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);
    private static readonly SessionInfo Valid = new("s1", "bravo", "Title", "/src/p", SessionStatus.Active, "claude", Now, Now, "in", "out");

    private static StreamEntry Entry(params (string Name, string Value)[] fields) =>
        new("1-0", fields.Select(f => new NameValueEntry(f.Name, f.Value)).ToArray());

    private static SessionEvent Decode(StreamEntry entry)
    {
        Assert.That(SessionEventCodec.TryDecode(entry, out var decoded, out var problem), Is.True, problem);
        return decoded;
    }

    [Test]
    public void Encode_ThenDecode_GivesTheSameCompleteSession_WithItsDetail()
    {
        var entry = new StreamEntry("1-0", SessionEventCodec.Encode(SessionEventNames.AgentEvent, Valid, "all done", "bravo"));

        var decoded = Decode(entry);

        Assert.Multiple(() =>
        {
            Assert.That((decoded.EventName, decoded.Source, decoded.Detail), Is.EqualTo((SessionEventNames.AgentEvent, "bravo", "all done")));
            Assert.That(decoded.Session.Present, Is.EqualTo(SessionFields.All), "the writer sends every field, nulls included");
            Assert.That(decoded.Session.ApplyTo(null), Is.EqualTo(Valid));
        });
    }

    [Test]
    public void Encode_WritesNullsExplicitly_SoAMergingReceiverClearsThem()
    {
        var waiting = Valid with { Status = SessionStatus.Waiting, Waiting = new WaitingInfo(WaitingKinds.Permission, "rm -rf build", Now, [new AnswerChoice("1", "Yes", AnswerMeanings.Yes)]) };
        var answered = Valid with { Waiting = null, LastInput = null };
        var cached = Decode(new StreamEntry("1-0", SessionEventCodec.Encode(SessionEventNames.SessionUpdated, waiting, null, "bravo"))).Session.ApplyTo(null);

        var merged = Decode(new StreamEntry("2-0", SessionEventCodec.Encode(SessionEventNames.SessionUpdated, answered, null, "bravo"))).Session.ApplyTo(cached);

        Assert.That(cached.Waiting, Is.Not.Null);
        Assert.That(merged, Is.EqualTo(answered));
    }

    [Test]
    public void TryDecode_AcceptsTheSeedsPartialSession_AndLeavesTheRestUnknown()
    {
        var entry = Entry(("event", "session_updated"), ("source", "zulu"), ("data", "{\"session_id\":\"z1\",\"title\":\"From the seed\",\"status\":\"active\",\"last_input\":\"hi\",\"last_output\":\"hello\"}"));

        var decoded = Decode(entry);
        var session = decoded.Session.ApplyTo(null);

        Assert.Multiple(() =>
        {
            Assert.That(decoded.Session.Present, Is.EqualTo(SessionFields.Title | SessionFields.Status | SessionFields.LastInput | SessionFields.LastOutput));
            Assert.That(session, Is.EqualTo(new SessionInfo("z1", "zulu", "From the seed", null, SessionStatus.Active, null, null, null, "hi", "hello")));
        });
    }

    [Test]
    public void TryDecode_TakesTheOriginalSystemsFieldNames_AndIgnoresItsExtraFields()
    {
        var data = """
            {"session_id":"z2","computer":"zulu","working_directory":"/home/z/app","origin_adapter":"telegram","adapter_metadata":{"chat":5},
             "status":"thinking_hard","created_at":"2026-11-26T01:00:00.123456","last_activity":1795654800,"title":7}
            """;

        var session = Decode(Entry(("event", "new_session"), ("source", "zulu"), ("data", data))).Session;

        Assert.Multiple(() =>
        {
            Assert.That(session.Values.ProjectPath, Is.EqualTo("/home/z/app"));
            Assert.That(session.Values.Status, Is.EqualTo(SessionStatus.Unknown), "a status this daemon does not know");
            Assert.That(session.Values.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 11, 26, 1, 0, 0, 123, TimeSpan.Zero).AddTicks(4560)), "ISO 8601 without offset is UTC");
            Assert.That(session.Values.LastActivity, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1795654800)), "epoch seconds");
            Assert.That(session.Has(SessionFields.Title), Is.False, "a title of the wrong type is ignored, not a reason to drop the event");
        });
    }

    [TestCase("2026-11-26T01:00:00Z", 1795654800000L)]
    [TestCase("2026-11-26T02:00:00+01:00", 1795654800000L)]
    [TestCase("2026-11-26 01:00:00", 1795654800000L)]
    [TestCase("1795654800", 1795654800000L)]
    [TestCase("1795654800.5", 1795654800500L)]
    [TestCase("1795654800123", 1795654800123L)]
    public void TryDecode_ReadsTimestampsInEveryCommonForm(string written, long expectedMs)
    {
        var asJson = long.TryParse(written, out _) || double.TryParse(written, System.Globalization.CultureInfo.InvariantCulture, out _) ? written : $"\"{written}\"";
        var session = Decode(Entry(("event", "session_updated"), ("source", "zulu"), ("data", $"{{\"session_id\":\"t\",\"created_at\":{asJson}}}"))).Session;

        Assert.That(session.Values.CreatedAt?.ToUnixTimeMilliseconds(), Is.EqualTo(expectedMs));
    }

    [TestCase("missing data", "event=new_session", "source=bravo")]
    [TestCase("missing source", "event=new_session", "data={}")]
    [TestCase("unknown event", "event=drop_tables", "source=bravo", "data={VALID}")]
    [TestCase("bad json", "event=new_session", "source=bravo", "data={\"session_id\":")]
    [TestCase("not an object", "event=new_session", "source=bravo", "data=[1,2,3]")]
    [TestCase("wrong source", "event=new_session", "source=mallory", "data={VALID}")]
    [TestCase("source not a computer name", "event=new_session", "source=a b", "data={\"session_id\":\"x\"}")]
    [TestCase("session_id of the wrong type", "event=new_session", "source=bravo", "data={\"session_id\":5,\"computer\":\"bravo\"}")]
    [TestCase("no session_id", "event=session_updated", "source=bravo", "data={\"title\":\"x\"}")]
    [TestCase("empty session_id", "event=session_updated", "source=bravo", "data={\"session_id\":\"\"}")]
    [TestCase("computer of the wrong type", "event=session_updated", "source=bravo", "data={\"session_id\":\"x\",\"computer\":5}")]
    public void TryDecode_RefusesEntriesWithoutIdentity_WithReason(string what, params string[] fields)
    {
        var entry = Entry(fields.Select(f => f.Split('=', 2)).Select(p => (p[0], p[1].Replace("{VALID}", RedisJson.Serialize(Valid), StringComparison.Ordinal))).ToArray());

        var ok = SessionEventCodec.TryDecode(entry, out _, out var problem);

        Assert.That(ok, Is.False, what);
        Assert.That(problem, Is.Not.Empty, what);
    }

    /// <summary>A small fuzz loop: random mutations of a valid entry never throw, and anything accepted is a session of its source.</summary>
    [Test]
    public void TryDecode_NeverThrows_OnRandomMutations()
    {
        var random = new Random(20261126);
        var json = (string)SessionEventCodec.Encode(SessionEventNames.SessionUpdated, Valid, null, "bravo")[2].Value!;
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

            var ok = false;
            SessionEvent? decoded = null;
            Assert.DoesNotThrow(() => ok = SessionEventCodec.TryDecode(Entry([.. fields]), out decoded, out _), mutated);
            if (ok)
            {
                var session = decoded!.Session.ApplyTo(null);
                Assert.That(session.Computer, Is.EqualTo(decoded.Source));
                Assert.That(session.SessionId, Is.Not.Empty);
            }
        }
    }
}
