using Microsoft.Extensions.Time.Testing;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Caching;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class CacheChangeFeedUnitTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly LogRecorder _logs = new();

    [OneTimeTearDown]
    public void DisposeLogs() => _logs.Dispose();

    [Test]
    public async Task Publish_DeliversEveryChange_InOrder_ToEverySubscriber()
    {
        var feed = new CacheChangeFeed(capacity: 100, _time, _logs.CreateLogger("feed"));
        var first = feed.Subscribe("first");
        var second = feed.Subscribe("second");

        for (var i = 0; i < 50; i++)
        {
            feed.Publish(Change(i));
        }

        Assert.That(await ReadAsync(first, 50), Is.EqualTo(Enumerable.Range(0, 50).Select(Change)));
        Assert.That(await ReadAsync(second, 50), Is.EqualTo(Enumerable.Range(0, 50).Select(Change)));
    }

    [Test]
    public async Task SubscriberThatStopsReading_IsBoundedAndToldWhatItMissed_OthersGetEverything()
    {
        var feed = new CacheChangeFeed(capacity: 10, _time, _logs.CreateLogger("feed"));
        var stalled = feed.Subscribe("stalled");
        var reading = feed.Subscribe("reading");
        var seen = new List<CacheChange>();

        for (var i = 0; i < 1_000; i++)
        {
            if (i == 10)
            {
                _time.Advance(TimeSpan.FromSeconds(1));
            }

            // Never blocks, never throws, whatever the stalled subscriber does.
            feed.Publish(Change(i));
            seen.AddRange(await ReadAsync(reading, 1));
        }

        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, 1_000).Select(Change)), "the reading subscriber got everything");
        Assert.That(stalled.Count, Is.EqualTo(11), "the stalled one holds its 10 changes plus the marker, not 1,000");
        var afterStall = await ReadAsync(stalled, 11);
        Assert.That(afterStall.Take(10), Is.EqualTo(Enumerable.Range(0, 10).Select(Change)), "what fitted, in order");
        Assert.That(afterStall[10], Is.EqualTo(new ChangesDropped(990, Start + TimeSpan.FromSeconds(1))), "then how many it missed, since when");

        feed.Publish(Change(1_000));
        Assert.That(await ReadAsync(stalled, 1), Is.EqualTo(new[] { Change(1_000) }), "after the marker, changes flow again");
        Assert.That(_logs.Entries.Count(e => e.EventId == 120), Is.EqualTo(1), "one line when it fell behind, not one per skipped change");
    }

    [Test]
    public async Task Unsubscribe_CompletesTheReader_AfterWhatItHolds()
    {
        var feed = new CacheChangeFeed();
        var reader = feed.Subscribe();
        feed.Publish(Change(1));

        feed.Unsubscribe(reader);
        feed.Publish(Change(2));

        var all = new List<CacheChange>();
        await foreach (var change in reader.ReadAllAsync(TestContext.CurrentContext.CancellationToken))
        {
            all.Add(change);
        }

        Assert.That(all, Is.EqualTo(new[] { Change(1) }));
    }

    private static SessionChanged Change(int i)
    {
        var at = Start.AddSeconds(i);
        return new SessionChanged(SessionEventNames.SessionUpdated, new SessionInfo($"s{i}", "pc", "t", "/p", SessionStatus.Active, "claude", at, at, null, null));
    }

    private static async Task<List<CacheChange>> ReadAsync(System.Threading.Channels.ChannelReader<CacheChange> reader, int count)
    {
        var changes = new List<CacheChange>();
        while (changes.Count < count)
        {
            changes.Add(await reader.ReadAsync(TestContext.CurrentContext.CancellationToken));
        }

        return changes;
    }
}
