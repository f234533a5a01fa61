using StackExchange.Redis;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>Stream ids compared as numbers, and the XREAD reply in both protocol shapes.</summary>
internal sealed class StreamReadUnitTests
{
    [TestCase("0-0", "0-0", 0)]
    [TestCase("9-0", "10-0", -1)]
    [TestCase("10-2", "10-10", -1)]
    [TestCase("1700000000000-5", "1700000000000-5", 0)]
    [TestCase("1700000000001-0", "1700000000000-99", 1)]
    [TestCase("garbage", "0-0", 0)]
    public void Compare_OrdersIdsNumerically(string a, string b, int sign)
    {
        Assert.That(Math.Sign(StreamId.Compare(a, b)), Is.EqualTo(sign));
    }

    private static RedisResult Entry(string id, params string[] fieldsAndValues) => RedisResult.Create(
        [RedisResult.Create((RedisValue)id), RedisResult.Create(fieldsAndValues.Select(v => (RedisValue)v).ToArray())]);

    [Test]
    public void Parse_ReadsTheResp2ShapeAndTheResp3Shape()
    {
        var entries = RedisResult.Create([Entry("1-0", "event", "new_session"), Entry("2-0", "a", "1", "b", "2")]);
        var other = RedisResult.Create([Entry("5-0", "chunk", "{}")]);
        var resp2 = RedisResult.Create([
            RedisResult.Create([RedisResult.Create((RedisValue)"session_events:a"), entries]),
            RedisResult.Create([RedisResult.Create((RedisValue)"output:5-0"), other]),
        ]);
        var resp3 = RedisResult.Create([RedisResult.Create((RedisValue)"session_events:a"), entries, RedisResult.Create((RedisValue)"output:5-0"), other], ResultType.Map);

        foreach (var reply in new[] { resp2, resp3 })
        {
            var parsed = XReadReply.Parse(reply);

            Assert.That(parsed.Select(p => p.Stream), Is.EqualTo(new[] { "session_events:a", "output:5-0" }));
            Assert.That(parsed[0].Entries.Select(e => e.Id.ToString()), Is.EqualTo(new[] { "1-0", "2-0" }));
            Assert.That((string?)parsed[0].Entries[1]["b"], Is.EqualTo("2"));
            Assert.That((string?)parsed[1].Entries[0]["chunk"], Is.EqualTo("{}"));
        }
    }

    [Test]
    public void Parse_ReadsNullAsNoEntries()
    {
        Assert.That(XReadReply.Parse(RedisResult.Create(RedisValue.Null)), Is.Empty);
    }
}
