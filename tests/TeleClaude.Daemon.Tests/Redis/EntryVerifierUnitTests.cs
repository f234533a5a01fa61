using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Security;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// What the follower hands on with a fleet key: only signed, fresh, first-seen entries; every drop counted and logged
/// in one line naming the sender, the stream and why. Without a key: everything, and a peer that signs is reported once.
/// </summary>
[TestFixture]
[CancelAfter(10_000)]
internal sealed class EntryVerifierUnitTests
{
    private const string Key = "fleet-key-0123456789abcdefghijklmnopqrstuvwxyz";
    private const string Requests = "messages:alpha";
    private const string Events = "session_events:alpha";
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private static readonly NameValueEntry[] Request = [new("command", "list_sessions"), new("initiator", "bravo")];

    private FakeTimeProvider _time = null!;
    private RedisCounters _counters = null!;
    private LogRecorder _logs = null!;
    private ILoggerFactory _factory = null!;

    [SetUp]
    public void Create()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
        _counters = new RedisCounters();
        _logs = new LogRecorder();
        _factory = LoggerFactory.Create(b => b.AddProvider(_logs));
    }

    [TearDown]
    public void Dispose()
    {
        _factory.Dispose();
        _logs.Dispose();
    }

    private EntryVerifier Verifier(FleetKeys keys) =>
        new(keys, _counters, Options.Create(new RedisOptions { RequestMaxAge = MaxAge }), _time, _factory.CreateLogger<EntryVerifier>());

    private NameValueEntry[] Signed(string stream, DateTimeOffset? at = null, string key = Key) =>
        EntrySignature.Sign(FleetKeys.From(key), stream, Request, "bravo", at ?? _time.GetUtcNow());

    /// <summary>An entry as Redis stores it: its id is the time it was added (now, unless said).</summary>
    private StreamEntry Stored(NameValueEntry[] fields, DateTimeOffset? storedAt = null, int sequence = 0) =>
        new($"{(storedAt ?? _time.GetUtcNow()).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}-{sequence}", fields);

    private string[] Messages(int eventId) => _logs.WithEventId(eventId).Select(e => e.Message).ToArray();

    [Test]
    public void SignedFreshEntry_IsHandedOn_AndCounted()
    {
        var verifier = Verifier(FleetKeys.From(Key));
        var batch = new[] { Stored(Signed(Requests)) };

        Assert.That(verifier.Filter(verifier.Guard(Requests), Requests, batch), Is.SameAs(batch));
        Assert.That(_counters.Get(FleetCounters.Verified), Is.EqualTo(1));
    }

    [Test]
    public void UnsignedEntry_IsDropped_Counted_AndLoggedInOneLine()
    {
        var verifier = Verifier(FleetKeys.From(Key));
        var good = Stored(Signed(Requests), sequence: 1);

        var handed = verifier.Filter(verifier.Guard(Requests), Requests, [Stored(Request), good]);

        Assert.Multiple(() =>
        {
            Assert.That(handed, Is.EqualTo(new[] { good }));
            Assert.That(_counters.Get(FleetCounters.DroppedUnsigned), Is.EqualTo(1));
            Assert.That(Messages(740), Has.Length.EqualTo(1));
            Assert.That(Messages(740)[0], Does.StartWith("Dropped an unsigned request from bravo on messages:alpha ("));
        });
    }

    [Test]
    public void ForgedAndForeignKeyEntries_AreDropped_EachWithItsOwnReason()
    {
        var verifier = Verifier(FleetKeys.From(Key));
        var forged = Signed(Requests);
        forged[0] = new("command", "start_session");
        var foreign = Signed(Requests, key: "another-fleet-0123456789abcdefghijklmnopqrs");

        var handed = verifier.Filter(verifier.Guard(Requests), Requests, [Stored(forged, sequence: 0), Stored(foreign, sequence: 1)]);

        Assert.Multiple(() =>
        {
            Assert.That(handed, Is.Empty);
            Assert.That((_counters.Get(FleetCounters.DroppedForged), _counters.Get(FleetCounters.DroppedUnknownKey)), Is.EqualTo((1, 1)));
            Assert.That(Messages(742).Single(), Does.StartWith("Dropped a forged request claiming to be from bravo on messages:alpha").And.Contains("does not match"));
            Assert.That(Messages(741).Single(), Does.Contain($"signed with key {FleetKeys.From("another-fleet-0123456789abcdefghijklmnopqrs").Ids}, which this computer does not hold (it holds {FleetKeys.From(Key).Ids})"));
        });
    }

    [Test]
    public void CopyOfAnOldEntry_StoredLongAfterItWasSigned_IsStale_OnEveryStream()
    {
        var verifier = Verifier(FleetKeys.From(Key));
        var old = Signed(Events, _time.GetUtcNow() - TimeSpan.FromMinutes(5));

        Assert.That(verifier.Filter(verifier.Guard(Events), Events, [Stored(old)]), Is.Empty);
        Assert.That(Messages(743).Single(), Does.Contain("Redis stored it 300 s after it was signed").And.Contains("00:00:30"));
    }

    [Test]
    public void EntryReadLate_IsStaleOnLiveStreams_ButNotOnSessionEvents_WhichAreReadAfterRestarts()
    {
        var verifier = Verifier(FleetKeys.From(Key));
        var request = Stored(Signed(Requests));
        var response = Stored(Signed("output:1-0"));
        var sessionEvent = Stored(Signed(Events));
        var requests = verifier.Guard(Requests);
        var output = verifier.Guard("output:1-0");
        var events = verifier.Guard(Events);

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Multiple(() =>
        {
            Assert.That(verifier.Filter(requests, Requests, [request]), Is.Empty);
            Assert.That(verifier.Filter(output, "output:1-0", [response]), Is.Empty);
            Assert.That(verifier.Filter(events, Events, [sessionEvent]), Has.Length.EqualTo(1), "an event stored on time is applied however late it is read");
            Assert.That(Messages(743), Has.Length.EqualTo(2).And.All.Contains("signed 600 s before it was read"));
        });
    }

    [Test]
    public void RequestSignedBeforeReadingBegan_IsStale_EvenWithinTheMaxAge()
    {
        // A copy of a request the previous run answered, added again after a restart: its nonce is unknown to this
        // run, but it was signed before this run began reading requests.
        var verifier = Verifier(FleetKeys.From(Key));
        var signedBefore = Signed(Requests, _time.GetUtcNow() - TimeSpan.FromSeconds(5));
        var guard = verifier.Guard(Requests);

        Assert.That(verifier.Filter(guard, Requests, [Stored(signedBefore, _time.GetUtcNow() - TimeSpan.FromSeconds(5))]), Is.Empty);
        Assert.That(Messages(743).Single(), Does.Contain("signed before this computer began reading its requests"));
    }

    [Test]
    public void ReplayedEntry_WithANewId_IsDropped_OnlyTheFirstIsHandedOn()
    {
        var verifier = Verifier(FleetKeys.From(Key));
        var guard = verifier.Guard(Requests);
        var fields = Signed(Requests);
        var first = Stored(fields, sequence: 0);
        var copy = Stored(fields, sequence: 1);

        Assert.That(verifier.Filter(guard, Requests, [first]), Has.Length.EqualTo(1));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.That(verifier.Filter(guard, Requests, [Stored(fields, _time.GetUtcNow() - TimeSpan.FromSeconds(10), 2)]), Is.Empty);
        Assert.That(verifier.Filter(guard, Requests, [copy]), Is.Empty);
        Assert.That(_counters.Get(FleetCounters.DroppedReplayed), Is.EqualTo(2));
        Assert.That(Messages(744)[0], Does.StartWith("Dropped a replayed request from bravo on messages:alpha"));
    }

    [Test]
    public void ReplayMemory_ForgetsNonces_OnceTheStreamHasMovedPastTheirAge()
    {
        var verifier = Verifier(FleetKeys.From(Key));
        var guard = verifier.Guard(Events);
        for (var i = 0; i < 10; i++)
        {
            verifier.Filter(guard, Events, [Stored(Signed(Events), sequence: i)]);
        }

        Assert.That(guard.Replays!.Count, Is.EqualTo(10));
        _time.Advance(MaxAge + TimeSpan.FromSeconds(1));
        verifier.Filter(guard, Events, [Stored(Signed(Events))]);

        Assert.That(guard.Replays.Count, Is.EqualTo(1), "the ten older nonces can only come back in entries the age check refuses");
    }

    [Test]
    public void ReplayMemory_IsBounded_ForgettingTheOldestFirst()
    {
        var memory = new ReplayMemory(capacity: 3);

        var roomy = Enumerable.Range(0, 4).Select(i => memory.Remember($"n{i}", 1000 + i)).ToArray();

        Assert.That(roomy, Is.EqualTo(new[] { true, true, true, false }));
        Assert.That((memory.Count, memory.Contains("n0"), memory.Contains("n3")), Is.EqualTo((3, false, true)));
    }

    [Test]
    public void WithoutAKey_EverythingIsHandedOn_AndASigningPeerIsReportedOnce()
    {
        var verifier = Verifier(FleetKeys.None);
        var batch = new[] { Stored(Request), Stored(Signed(Requests), sequence: 1), Stored(Signed(Requests), sequence: 2) };

        Assert.That(verifier.Filter(verifier.Guard(Requests), Requests, batch), Is.SameAs(batch));
        Assert.Multiple(() =>
        {
            Assert.That(_counters.Get(FleetCounters.SignedButNoKey), Is.EqualTo(2));
            Assert.That(Messages(745).Single(), Does.StartWith("bravo signs what it writes to Redis with a fleet key, but this computer has none"));
        });
    }
}
