using StackExchange.Redis;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// The signature of a stream entry: what the writer signs verifies with the same key on the same stream, and any
/// change (a field, its order, the stream, the signer, the time) or another key is caught; several keys sign at once.
/// </summary>
[TestFixture]
[CancelAfter(10_000)]
internal sealed class EntrySignatureUnitTests
{
    private const string KeyA = "fleet-key-A-0123456789abcdefghijklmnopqrstuvwxyz";
    private const string KeyB = "fleet-key-B-0123456789abcdefghijklmnopqrstuvwxyz";
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly NameValueEntry[] Request = [new("command", "start_session"), new("initiator", "bravo"), new("args", "{\"title\":\"x\"}")];

    private static StreamEntry Stored(NameValueEntry[] fields) => new("1795860000000-0", fields);

    private static NameValueEntry[] Sign(FleetKeys keys, string stream = "messages:alpha") =>
        EntrySignature.Sign(keys, stream, Request, "bravo", Now);

    [Test]
    public void Sign_AppendsTimestampNonceSignerAndSignature_AfterTheEntrysOwnFields()
    {
        var signed = Sign(FleetKeys.From(KeyA));

        Assert.Multiple(() =>
        {
            Assert.That(signed.Take(3), Is.EqualTo(Request), "the entry's own fields stay first and unchanged: readers without a key see today's entry");
            Assert.That(signed.Skip(3).Select(f => (string)f.Name!), Is.EqualTo(new[] { "sig_ts", "sig_nonce", "sig_from", "sig" }));
            Assert.That((string?)signed[3].Value, Is.EqualTo(Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That((string?)signed[5].Value, Is.EqualTo("bravo"));
            Assert.That((string?)signed[6].Value, Does.Match("^[0-9a-f]{8}:[A-Za-z0-9_-]{43}$"));
        });
    }

    [Test]
    public void Check_AcceptsWhatWasSigned_WithTheSameKeyOnTheSameStream()
    {
        var keys = FleetKeys.From(KeyA);
        var signed = Sign(keys);

        var check = EntrySignature.Check(keys, "messages:alpha", Stored(signed));

        Assert.That((check.Outcome, check.SignedAtMilliseconds, check.From, check.Nonce), Is.EqualTo((SignatureOutcome.Valid, Now.ToUnixTimeMilliseconds(), "bravo", (string?)signed[4].Value)));
    }

    [Test]
    public void Sign_GivesEveryEntryItsOwnNonce()
    {
        var keys = FleetKeys.From(KeyA);

        var nonces = Enumerable.Range(0, 100).Select(_ => (string?)Sign(keys)[4].Value).ToHashSet();

        Assert.That(nonces, Has.Count.EqualTo(100));
    }

    [Test]
    public void Check_RefusesAnEntryWithoutSignature_AsUnsigned()
    {
        Assert.That(EntrySignature.Check(FleetKeys.From(KeyA), "messages:alpha", Stored(Request)).Outcome, Is.EqualTo(SignatureOutcome.Unsigned));
    }

    [Test]
    public void Check_RefusesACopyOnAnotherStream_AsForged()
    {
        var keys = FleetKeys.From(KeyA);

        var check = EntrySignature.Check(keys, "messages:charlie", Stored(Sign(keys, "messages:alpha")));

        Assert.That(check.Outcome, Is.EqualTo(SignatureOutcome.Forged));
    }

    [TestCase(0, "args", "{\"title\":\"rm -rf /\"}", TestName = "Check_RefusesAChangedValue_AsForged")]
    [TestCase(1, "initiator", "mallory", TestName = "Check_RefusesAChangedInitiator_AsForged")]
    [TestCase(3, "sig_ts", "1895860000000", TestName = "Check_RefusesAChangedTimestamp_AsForged")]
    [TestCase(5, "sig_from", "charlie", TestName = "Check_RefusesAChangedSigner_AsForged")]
    public void Check_RefusesAChangedField_AsForged(int index, string name, string value)
    {
        var keys = FleetKeys.From(KeyA);
        var fields = Sign(keys);
        fields[index == 0 ? 2 : index] = new(name, value);

        Assert.That(EntrySignature.Check(keys, "messages:alpha", Stored(fields)).Outcome, Is.EqualTo(SignatureOutcome.Forged));
    }

    [Test]
    public void Check_RefusesReorderedOrAddedFields_AsForged()
    {
        var keys = FleetKeys.From(KeyA);
        var fields = Sign(keys);
        NameValueEntry[] reordered = [fields[1], fields[0], .. fields[2..]];
        NameValueEntry[] added = [.. fields[..^1], new("extra", "1"), fields[^1]];
        NameValueEntry[] sigNotLast = [.. fields, new("extra", "1")];

        Assert.Multiple(() =>
        {
            Assert.That(EntrySignature.Check(keys, "messages:alpha", Stored(reordered)).Outcome, Is.EqualTo(SignatureOutcome.Forged));
            Assert.That(EntrySignature.Check(keys, "messages:alpha", Stored(added)).Outcome, Is.EqualTo(SignatureOutcome.Forged));
            Assert.That(EntrySignature.Check(keys, "messages:alpha", Stored(sigNotLast)).Outcome, Is.EqualTo(SignatureOutcome.Forged));
        });
    }

    [Test]
    public void Check_RefusesAnEntrySignedWithAnotherKey_AsUnknownKey_NamingItsKeyId()
    {
        var theirs = FleetKeys.From(KeyB);

        var check = EntrySignature.Check(FleetKeys.From(KeyA), "messages:alpha", Stored(Sign(theirs)));

        Assert.That((check.Outcome, check.Detail), Is.EqualTo((SignatureOutcome.UnknownKey, theirs.Keys[0].Id)));
    }

    [Test]
    public void Check_RefusesAGarbledMac_OrAForeignKeyIdWithOurMac()
    {
        var keys = FleetKeys.From(KeyA);
        var fields = Sign(keys);
        var sig = (string)fields[^1].Value!;
        var garbled = fields.ToArray();
        garbled[^1] = new("sig", sig[..^4] + "AAAA");
        var notBase64 = fields.ToArray();
        notBase64[^1] = new("sig", sig[..9] + "!!!");

        Assert.Multiple(() =>
        {
            Assert.That(EntrySignature.Check(keys, "messages:alpha", Stored(garbled)).Outcome, Is.EqualTo(SignatureOutcome.Forged));
            Assert.That(EntrySignature.Check(keys, "messages:alpha", Stored(notBase64)).Outcome, Is.EqualTo(SignatureOutcome.Forged));
        });
    }

    [Test]
    public void Rotation_AWriterWithNewAndOldKey_IsReadByReadersWithEitherOne()
    {
        var both = FleetKeys.From(KeyB, KeyA);
        var signed = Sign(both);

        Assert.Multiple(() =>
        {
            Assert.That(((string)signed[^1].Value!).Split(' '), Has.Length.EqualTo(2), "one signature per key");
            Assert.That(EntrySignature.Check(FleetKeys.From(KeyA), "messages:alpha", Stored(signed)).Outcome, Is.EqualTo(SignatureOutcome.Valid));
            Assert.That(EntrySignature.Check(FleetKeys.From(KeyB), "messages:alpha", Stored(signed)).Outcome, Is.EqualTo(SignatureOutcome.Valid));
            Assert.That(EntrySignature.Check(both, "messages:alpha", Stored(Sign(FleetKeys.From(KeyA)))).Outcome, Is.EqualTo(SignatureOutcome.Valid));
        });
    }

    [Test]
    public void Rotation_StrippingTheSignatureOfTheKeyAReaderHolds_LeavesAnUnknownKey_NotAValidEntry()
    {
        var signed = Sign(FleetKeys.From(KeyB, KeyA));
        var onlyNew = signed.ToArray();
        onlyNew[^1] = new("sig", ((string)signed[^1].Value!).Split(' ')[0]);

        Assert.That(EntrySignature.Check(FleetKeys.From(KeyA), "messages:alpha", Stored(onlyNew)).Outcome, Is.EqualTo(SignatureOutcome.UnknownKey));
    }

    [Test]
    public void ClaimedSender_IsTheSigner_ElseTheInitiatorOrSource()
    {
        Assert.Multiple(() =>
        {
            Assert.That(EntrySignature.ClaimedSender(Stored(Sign(FleetKeys.From(KeyA)))), Is.EqualTo("bravo"));
            Assert.That(EntrySignature.ClaimedSender(Stored(Request)), Is.EqualTo("bravo"));
            Assert.That(EntrySignature.ClaimedSender(Stored([new("event", "x"), new("source", "zulu")])), Is.EqualTo("zulu"));
            Assert.That(EntrySignature.ClaimedSender(Stored([new("chunk", "{}")])), Is.EqualTo("an unnamed sender"));
        });
    }
}
