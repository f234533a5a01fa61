using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Computers;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Hubs;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Publishes this computer's heartbeat (<c>SET computer:{name}:heartbeat json EX ttl</c> plus a PUBLISH on the
/// heartbeat channel) every interval and at once when local interest changes; listens to peers' heartbeats
/// and scans the heartbeat keys once per interval to find peers it has not heard.
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        interest.InterestChanged += OnInterestChanged;
        try
        {
            await SubscribeAsync();
            var interval = daemonOptions.Value.HeartbeatInterval;
            var backoff = TimeSpan.FromMilliseconds(250);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await PublishAsync();
                    await ScanPeersAsync(stoppingToken);
                    backoff = TimeSpan.FromMilliseconds(250);
                    await WaitAsync(interval, stoppingToken);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    counters.Increment(RedisCounters.RedisErrors);
                    LogHeartbeatFailed(backoff, ex);
                    await WaitAsync(backoff, stoppingToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, interval.Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            interest.InterestChanged -= OnInterestChanged;
        }
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
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        wait.CancelAfter(delay);
        try
        {
            await _publishNow.Reader.ReadAsync(wait.Token);
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
        var json = RedisJson.Serialize(CurrentHeartbeat());
        var db = redis.GetDatabase();
        var set = db.StringSetAsync(RedisKeys.Heartbeat(local.Name), json, redisOptions.Value.HeartbeatTtl);
        var publish = db.PublishAsync(RedisKeys.HeartbeatChannel, json);
        await Task.WhenAll(set, publish);
        counters.Increment(RedisCounters.HeartbeatsSent);
    }

    private async Task SubscribeAsync()
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisKeys.HeartbeatChannel);
        queue.OnMessage(message => Receive(message.Message));
    }

    private void Receive(RedisValue json)
    {
        if (RedisJson.TryDeserialize<Heartbeat>((string?)json) is { } heartbeat
            && DaemonOptionsValidator.ComputerNamePattern().IsMatch(heartbeat.ComputerName ?? "")
            && heartbeat.LastSeen != default)
        {
            peers.Observe(heartbeat);
        }
        else
        {
            counters.Increment(RedisCounters.MalformedHeartbeats);
            LogMalformedHeartbeat(Truncate(json));
        }
    }

    /// <summary>Finds peers whose heartbeats were set before we subscribed (or while we were disconnected).</summary>
    private async Task ScanPeersAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            var keys = new List<RedisKey>();
            await foreach (var key in server.KeysAsync(db.Database, RedisKeys.HeartbeatPattern, pageSize: 250).WithCancellation(cancellationToken))
            {
                if (RedisKeys.ComputerOfHeartbeat(key!) is { } name && name != local.Name)
                {
                    keys.Add(key);
                }
            }

            if (keys.Count == 0)
            {
                continue;
            }

            var values = await db.StringGetAsync([.. keys]);
            foreach (var value in values.Where(v => v.HasValue))
            {
                Receive(value);
            }
        }
    }

    private static string Truncate(RedisValue value)
    {
        var text = (string?)value ?? "";
        return text.Length <= 200 ? text : text[..200] + "...";
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Heartbeat to Redis failed; retrying in {Backoff}.")]
    private partial void LogHeartbeatFailed(TimeSpan backoff, Exception exception);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Skipped a malformed heartbeat: {Json}")]
    private partial void LogMalformedHeartbeat(string json);
}
