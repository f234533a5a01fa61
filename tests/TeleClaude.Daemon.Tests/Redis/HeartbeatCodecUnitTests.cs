using TeleClaude.Contracts;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>The heartbeat codec: a peer's name is checked; everything else may be missing or shaped differently.</summary>
internal sealed class HeartbeatCodecUnitTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);

    [Test]
    public void Encode_ThenDecode_GivesTheSameHeartbeat()
    {
        var heartbeat = new Heartbeat("alpha", Now, "me", "box", new SystemStats(1.5, 2, 3), ["sessions"]);

        var ok = HeartbeatCodec.TryDecode(HeartbeatCodec.Encode(heartbeat), null, out var decoded, out var problem);

        Assert.That(ok, Is.True, problem);
        Assert.That(decoded with { InterestedIn = null }, Is.EqualTo(heartbeat with { InterestedIn = null }));
        Assert.That(decoded.InterestedIn, Is.EqualTo(new[] { "sessions" }));
    }

    [Test]
    public void TryDecode_AcceptsAKeyWithJustAName_OrNoNameAtAll()
    {
        var justName = HeartbeatCodec.TryDecode("{\"computer_name\":\"zulu\"}", null, out var fromChannel, out _);
        var empty = HeartbeatCodec.TryDecode("{}", "zulu", out var fromKey, out _);

        Assert.Multiple(() =>
        {
            Assert.That(justName, Is.True);
            Assert.That(fromChannel, Is.EqualTo(new Heartbeat("zulu", null, null, null, null, null)));
            Assert.That(empty, Is.True, "the key names the computer");
            Assert.That(fromKey.ComputerName, Is.EqualTo("zulu"));
        });
    }

    [Test]
    public void TryDecode_IgnoresFieldsOfTheWrongShape_AndReadsEpochLastSeen()
    {
        const string json = "{\"computer_name\":\"zulu\",\"last_seen\":1795654800,\"user\":5,\"host\":\"pi\",\"stats\":\"busy\",\"interested_in\":\"sessions\",\"extra\":[1]}";

        var ok = HeartbeatCodec.TryDecode(json, "zulu", out var heartbeat, out var problem);

        Assert.That(ok, Is.True, problem);
        Assert.That(heartbeat, Is.EqualTo(new Heartbeat("zulu", Now, null, "pi", null, null)));
    }

    [TestCase("not json", null)]
    [TestCase("[1,2]", null)]
    [TestCase("{}", null)]
    [TestCase("{\"computer_name\":\"has space\"}", null)]
    [TestCase("{\"computer_name\":\"mallory\"}", "zulu")]
    public void TryDecode_RefusesHeartbeatsWithoutAValidName(string json, string? key)
    {
        var ok = HeartbeatCodec.TryDecode(json, key, out _, out var problem);

        Assert.That(ok, Is.False);
        Assert.That(problem, Is.Not.Empty);
    }
}
