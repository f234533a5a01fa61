using Microsoft.Extensions.Options;
using Polly;
using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Resilience;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Pushes every change of a local session to the peers whose latest heartbeat shows interest in sessions:
/// <c>XADD session_events:{peer} MAXLEN ~ N * event name source me data json</c> (see <see cref="SessionEventCodec"/>);
/// the peer's blocking reader sees it at once. No interested peer, no traffic. While Redis is unreachable the change is
/// retried (in order, with the shared backoff) for up to <see cref="RedisOptions.EventRetryWindow"/>.
/// </summary>
internal sealed partial class SessionEventEmitter(
    EntryWriter writer,
    CacheChangeFeed changes,
    PeerDirectory peers,
    Storage.SessionStore store,
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
        var pipeline = Backoff.Forever("Pushing session events to peers", time, logger, _ => counters.Increment(RedisCounters.RedisErrors));
        try
        {
            await foreach (var change in _reader.ReadAllAsync(stoppingToken))
            {
                if (change is SessionChanged session && session.Session.Computer == _self)
                {
                    await EmitAsync(pipeline, session, stoppingToken);
                }
                else if (change is ChangesDropped dropped)
                {
                    // The emitter fell a whole queue behind (a long Redis outage at a high rate) and missed changes:
                    // send interested peers the current state of every local session instead, and the end of those
                    // that ended since, so no peer keeps a stale or ended session until its next pull.
                    LogResync(dropped.Count);
                    foreach (var resync in await ResyncChangesAsync(dropped.Since, stoppingToken))
                    {
                        await EmitAsync(pipeline, resync, stoppingToken);
                    }
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

    private async Task EmitAsync(ResiliencePipeline pipeline, SessionChanged change, CancellationToken stoppingToken)
    {
        // The peers interested when the emitter takes the change up get it, even if Redis then goes down for a while:
        // their heartbeats expire meanwhile only because nobody's heartbeat gets through, so they are retried (in
        // order) until the event is written or the retry window passes. Once written, it waits in the peer's stream
        // until the peer reads it, however long that peer is down.
        var pending = peers.InterestedPeers(Views.Sessions).ToHashSet(StringComparer.Ordinal);
        if (pending.Count == 0)
        {
            return;
        }

        var fields = Fields(change);
        using var window = new CancellationTokenSource(redisOptions.Value.EventRetryWindow, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, window.Token);
        try
        {
            await pipeline.ExecuteAsync(
                async _ =>
                {
                    foreach (var peer in pending.ToArray())
                    {
                        await writer.AddAsync(RedisKeys.SessionEvents(peer), fields, redisOptions.Value.EventStreamMaxLength);
                        pending.Remove(peer);
                        counters.Increment(RedisCounters.EventsSent);
                    }
                },
                linked.Token);
        }
        catch (OperationCanceledException) when (window.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            counters.Increment(RedisCounters.EventsDropped, pending.Count);
            LogEmitGaveUp(change.EventName, string.Join(", ", pending), redisOptions.Value.EventRetryWindow);
        }
    }

    private async Task<IEnumerable<SessionChanged>> ResyncChangesAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var sessions = await store.ListAsync(includeTerminated: true, cancellationToken);
        return sessions
            .Where(s => s.Status != SessionStatus.Terminated || s.LastActivity >= since)
            .Select(s => new SessionChanged(s.Status == SessionStatus.Terminated ? SessionEventNames.SessionTerminated : SessionEventNames.SessionUpdated, s));
    }

    internal NameValueEntry[] Fields(SessionChanged change) => SessionEventCodec.Encode(change.EventName, change.Session, change.Detail, _self);

    [LoggerMessage(EventId = 532, Level = LogLevel.Warning, Message = "The emitter fell behind and skipped {Count} changes; sending interested peers the current state of every local session instead.")]
    private partial void LogResync(long count);

    [LoggerMessage(EventId = 531, Level = LogLevel.Error, Message = "Gave up pushing {Event} to {Peers} after {Window}; they re-pull when they see this computer again.")]
    private partial void LogEmitGaveUp(string @event, string peers, TimeSpan window);
}
