using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Pushes every change of a local session to the peers whose latest heartbeat shows interest in sessions:
/// <c>XADD session_events:{peer} MAXLEN ~ N * event name source me data json</c>, then a signal.
/// No interested peer, no traffic. While Redis is unreachable the change is retried (in order) with backoff.
/// </summary>
internal sealed partial class SessionEventEmitter(
    IConnectionMultiplexer redis,
    CacheChangeFeed changes,
    PeerDirectory peers,
    RedisCounters counters,
    IOptions<DaemonOptions> daemonOptions,
    IOptions<RedisOptions> redisOptions,
    TimeProvider time,
    ILogger<SessionEventEmitter> logger) : BackgroundService
{
    private readonly System.Threading.Channels.ChannelReader<CacheChange> _reader = changes.Subscribe();
    private readonly string _self = daemonOptions.Value.ComputerName;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var change in _reader.ReadAllAsync(stoppingToken))
            {
                if (change is SessionChanged session && session.Session.Computer == _self)
                {
                    await EmitWithRetryAsync(session, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            changes.Unsubscribe(_reader);
        }
    }

    private async Task EmitWithRetryAsync(SessionChanged change, CancellationToken stoppingToken)
    {
        // The peers interested when the emitter takes the change up get it, even if Redis then goes down for a
        // while: their heartbeats expire meanwhile only because nobody's heartbeat gets through, so they are
        // retried (in order) until the event is written or the retry window passes. Once written, it waits in the peer's
        // stream until the peer reads it, however long that peer is down.
        var backoff = TimeSpan.FromMilliseconds(100);
        var giveUpAt = time.GetUtcNow() + redisOptions.Value.EventRetryWindow;
        var pending = peers.InterestedPeers(Views.Sessions).ToHashSet(StringComparer.Ordinal);
        var fields = Fields(change);
        while (pending.Count > 0 && !stoppingToken.IsCancellationRequested)
        {
            var db = redis.GetDatabase();
            foreach (var peer in pending.ToArray())
            {
                try
                {
                    var stream = RedisKeys.SessionEvents(peer);
                    await db.StreamAddAsync(stream, fields, maxLength: redisOptions.Value.EventStreamMaxLength, useApproximateMaxLength: true);
                    await db.PublishAsync(RedisKeys.StreamSignal(stream), 1, CommandFlags.FireAndForget);
                    pending.Remove(peer);
                    counters.Increment(RedisCounters.EventsSent);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    counters.Increment(RedisCounters.RedisErrors);
                    LogEmitFailed(change.EventName, peer, backoff, ex);
                }
            }

            if (pending.Count > 0)
            {
                if (time.GetUtcNow() >= giveUpAt)
                {
                    counters.Increment(RedisCounters.EventsDropped, pending.Count);
                    LogEmitGaveUp(change.EventName, string.Join(", ", pending), redisOptions.Value.EventRetryWindow);
                    return;
                }

                await Task.Delay(backoff, time, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    internal NameValueEntry[] Fields(SessionChanged change)
    {
        var data = JsonSerializerNode(change.Session);
        if (change.Detail is not null)
        {
            data[change.EventName == SessionEventNames.AgentEvent ? "summary" : "input"] = change.Detail;
        }

        return
        [
            new("event", change.EventName),
            new("source", _self),
            new("data", data.ToJsonString()),
        ];
    }

    private static JsonObject JsonSerializerNode(SessionInfo session) =>
        (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(session, RedisJson.Options)!;

    [LoggerMessage(EventId = 531, Level = LogLevel.Error, Message = "Gave up pushing {Event} to {Peers} after {Window}; they re-pull when they see this computer again.")]
    private partial void LogEmitGaveUp(string @event, string peers, TimeSpan window);

    [LoggerMessage(EventId = 530, Level = LogLevel.Warning, Message = "Pushing {Event} to {Peer} failed; retrying in {Backoff}.")]
    private partial void LogEmitFailed(string @event, string peer, TimeSpan backoff, Exception exception);
}
