using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Computers;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Hubs;
using TeleClaude.Daemon.Resilience;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Writes this computer's heartbeat (<c>SET computer:{name}:heartbeat json EX ttl</c>) every heartbeat interval and at
/// once when local interest changes, and finds peers by scanning the heartbeat keys (<c>SCAN</c> + <c>MGET</c>): once
/// per heartbeat interval, and every <see cref="RedisOptions.PeerScanInterval"/> while a local client is subscribed,
/// so a peer that only writes its key is listed within that bound. The heartbeat is also published on the heartbeat
/// channel, which other TeleClaude daemons listen to as an accelerator (interest changes reach them at once); nothing
/// depends on it. Every Redis call is retried with the shared backoff: Redis being down, at start or later, never
/// stops this service.
/// </summary>
internal sealed partial class HeartbeatService(
    IConnectionMultiplexer redis,
    LocalComputer local,
    InterestManager interest,
    PeerDirectory peers,
    RedisCounters counters,
    IOptions<DaemonOptions> daemonOptions,
    IOptions<RedisOptions> redisOptions,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<HeartbeatService> logger) : BackgroundService
{
    private readonly Channel<bool> _publishNow = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<string, string> _malformed = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        interest.InterestChanged += OnInterestChanged;
        var subscription = SubscribeAsync(stoppingToken);
        try
        {
            var publish = Backoff.Forever("Writing the heartbeat to Redis", time, logger, CountError, daemonOptions.Value.HeartbeatInterval);
            var scan = Backoff.Forever("Scanning the peers' heartbeats", time, logger, CountError, daemonOptions.Value.HeartbeatInterval);
            var nextPublish = time.GetUtcNow();
            var nextScan = nextPublish;
            while (!stoppingToken.IsCancellationRequested)
            {
                var requested = _publishNow.Reader.TryRead(out _);
                if (requested || time.GetUtcNow() >= nextPublish)
                {
                    await publish.ExecuteAsync(async _ => await PublishAsync(), stoppingToken);
                    nextPublish = time.GetUtcNow() + daemonOptions.Value.HeartbeatInterval;
                }

                if (requested || time.GetUtcNow() >= nextScan)
                {
                    await scan.ExecuteAsync(ScanPeersAsync, stoppingToken);
                    nextScan = time.GetUtcNow() + ScanInterval();
                }

                await WaitAsync((nextPublish < nextScan ? nextPublish : nextScan) - time.GetUtcNow(), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            interest.InterestChanged -= OnInterestChanged;
            await subscription;
        }
    }

    private void CountError(Exception exception) => counters.Increment(RedisCounters.RedisErrors);

    /// <summary>Scanning often costs two commands per scan, so it is done only while someone looks.</summary>
    private TimeSpan ScanInterval()
    {
        var heartbeat = daemonOptions.Value.HeartbeatInterval;
        var active = redisOptions.Value.PeerScanInterval;
        return interest.InterestedIn.Count > 0 && active < heartbeat ? active : heartbeat;
    }

    private void OnInterestChanged(IReadOnlyList<string> views)
    {
        // While shutting down, clients disconnect: do not announce that as lost interest. The last heartbeat
        // expires on its own, and events peers send until then wait in our stream and are replayed on restart.
        if (!lifetime.ApplicationStopping.IsCancellationRequested)
        {
            _publishNow.Writer.TryWrite(true);
        }
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        using var wait = new CancellationTokenSource(delay, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, wait.Token);
        try
        {
            await _publishNow.Reader.WaitToReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal Heartbeat CurrentHeartbeat()
    {
        var computer = local.Current;
        var views = interest.InterestedIn;
        return new Heartbeat(computer.Name, time.GetUtcNow(), computer.User, computer.Host, computer.Stats, views.Count == 0 ? null : views);
    }

    private async Task PublishAsync()
    {
        var json = HeartbeatCodec.Encode(CurrentHeartbeat());
        var db = redis.GetDatabase();
        var set = db.StringSetAsync(RedisKeys.Heartbeat(local.Name), json, redisOptions.Value.HeartbeatTtl);
        var publish = db.PublishAsync(RedisKeys.HeartbeatChannel, json);
        await Task.WhenAll(set, publish);
        counters.Increment(RedisCounters.HeartbeatsSent);
    }

    /// <summary>Listens to the heartbeat channel (retried until it works; StackExchange.Redis restores it after reconnects).</summary>
    private async Task SubscribeAsync(CancellationToken stoppingToken)
    {
        ChannelMessageQueue? queue = null;
        try
        {
            await Backoff.Forever("Subscribing to the heartbeat channel", time, logger, CountError).ExecuteAsync(
                async _ => queue = await redis.GetSubscriber().SubscribeAsync(RedisKeys.HeartbeatChannel),
                stoppingToken);
            queue!.OnMessage(message => Receive(message.Message, keyComputer: null));
            await Task.Delay(Timeout.InfiniteTimeSpan, time, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (queue is not null)
            {
                try
                {
                    await queue.UnsubscribeAsync();
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // Shutting down without Redis: the subscription ends with the connection.
                }
            }
        }
    }

    private void Receive(RedisValue json, string? keyComputer)
    {
        var text = (string?)json;
        if (HeartbeatCodec.TryDecode(text, keyComputer, out var heartbeat, out var problem))
        {
            if (keyComputer is not null)
            {
                _malformed.TryRemove(keyComputer, out _);
            }

            peers.Observe(heartbeat);
            return;
        }

        // The same bad key is read at every scan: say so once per content, not every few seconds.
        if (keyComputer is null || !_malformed.TryGetValue(keyComputer, out var seen) || seen != text)
        {
            if (keyComputer is not null)
            {
                _malformed[keyComputer] = text ?? "";
            }

            counters.Increment(RedisCounters.MalformedHeartbeats);
            LogMalformedHeartbeat(keyComputer ?? "(channel)", problem, WireValues.Clip(text, 200));
        }
    }

    /// <summary>Finds peers by their heartbeat keys: those that never publish, and those set while this daemon was away.</summary>
    private async ValueTask ScanPeersAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            var keys = new List<RedisKey>();
            var names = new List<string>();
            await foreach (var key in server.KeysAsync(db.Database, RedisKeys.HeartbeatPattern, pageSize: 250).WithCancellation(cancellationToken))
            {
                if (RedisKeys.ComputerOfHeartbeat(key!) is { } name && name != local.Name)
                {
                    keys.Add(key);
                    names.Add(name);
                }
            }

            if (keys.Count == 0)
            {
                continue;
            }

            var values = await db.StringGetAsync([.. keys]);
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i].HasValue)
                {
                    Receive(values[i], names[i]);
                }
            }
        }
    }

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Skipped a malformed heartbeat of {Computer}: {Problem}: {Json}")]
    private partial void LogMalformedHeartbeat(string computer, string problem, string json);
}
