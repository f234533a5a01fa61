using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Security;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// The seam itself, against a real redis-server: any stream written with <see cref="EntryWriter"/> and read with
/// <see cref="StreamFollower"/> is signed and checked, whatever its name or entry kind, with no code of its own (as a
/// stream added later, e.g. <c>screen:{owner}:{session}</c>, will be); an entry added beside the writer never reaches the handler.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
internal sealed class SignedStreamIntegrationTests
{
    private const string Key = "fleet-key-for-tests-0123456789abcdefghijklmnop";
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _shared = null!;
    private RedisCounters _counters = null!;
    private StreamFollower _follower = null!;
    private EntryWriter _writer = null!;

    private static CancellationToken Ct => TestContext.CurrentContext.CancellationToken;

    [SetUp]
    public async Task StartAsync()
    {
        _redis = await RedisServer.StartAsync();
        _shared = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",abortConnect=false,allowAdmin=true");
        _counters = new RedisCounters();
        var keys = FleetKeys.From(Key);
        var options = Options.Create(new RedisOptions { Configuration = _redis.Configuration });
        var daemon = Options.Create(new DaemonOptions { ComputerName = "bravo" });
        var security = new RedisConnectionSecurity(Options.Create(new RedisTlsOptions()), NullLogger<RedisConnectionSecurity>.Instance);
        var verifier = new EntryVerifier(keys, _counters, options, TimeProvider.System, NullLogger<EntryVerifier>.Instance);
        _follower = new StreamFollower(_shared, _counters, options, new RedisConnectionOptions(options, daemon, security), TimeProvider.System, NullLogger<StreamFollower>.Instance, verifier);
        await _follower.StartAsync(Ct);
        _writer = new EntryWriter(_shared, keys, _counters, daemon, TimeProvider.System);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _follower.StopAsync(CancellationToken.None);
        _follower.Dispose();
        await _shared.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Test]
    public async Task ANewKindOfStream_WrittenByTheWriter_IsSignedAndDelivered_AnEntryBesideItIsNot()
    {
        const string stream = "screen:bravo:s1";
        var received = new ConcurrentQueue<string>();
        using var registration = _follower.Follow(stream, StreamId.Start, entries =>
        {
            foreach (var entry in entries)
            {
                received.Enqueue((string)entry["screen"]!);
            }

            return Task.CompletedTask;
        });

        await _shared.GetDatabase().StreamAddAsync(stream, [new("screen", "written beside the writer"), new("source", "bravo")]);
        await _writer.AddAsync(stream, [new("screen", "frame 1"), new("source", "bravo")], maxLength: 100);
        await Eventually.ThatAsync(() => Task.FromResult(received.Contains("frame 1")), "the signed frame arrives");

        var stored = await _shared.GetDatabase().StreamRangeAsync(stream);
        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo(new[] { "frame 1" }), "the unsigned entry never reached the handler");
            Assert.That(stored[1].Values.Select(v => (string?)v.Name), Is.EqualTo(new[] { "screen", "source", "sig_ts", "sig_nonce", "sig_from", "sig" }));
            Assert.That(_counters.Get(FleetCounters.DroppedUnsigned), Is.EqualTo(1));
            Assert.That(_counters.Get(FleetCounters.Signed), Is.EqualTo(1));
        });
    }
}
