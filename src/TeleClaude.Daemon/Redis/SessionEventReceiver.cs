using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Resilience;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Follows <c>session_events:{self}</c> into the cache (which pushes to the hub). Each entry is decoded by
/// <see cref="SessionEventCodec"/> and its (possibly partial) session merged onto the cached one. The last applied id
/// (and the server run_id it belongs to) is kept in SQLite by <see cref="StreamPositionSaver"/>, so events sent while
/// this daemon was down are replayed on start. When entries may have been lost (the stream trimmed past that id,
/// gone, or Redis restarted) the peers' sessions are pulled again. Malformed entries are counted and skipped.
/// </summary>
internal sealed partial class SessionEventReceiver(
    StreamFollower follower,
    DaemonCache cache,
    RemoteWarmup warmup,
    SessionStore store,
    RedisCounters counters,
    IOptions<DaemonOptions> daemonOptions,
    TimeProvider time,
    ILogger<SessionEventReceiver> logger) : BackgroundService
{
    internal const string LastIdSetting = "redis.session_events.last_id";
    internal const string RunIdSetting = "redis.session_events.run_id";

    private readonly string _self = daemonOptions.Value.ComputerName;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var positions = new StreamPositionSaver(SaveAsync, counters, time, logger);
        string? lastId = null, runId = null;
        await Backoff.Forever("Reading the saved stream position", time, logger).ExecuteAsync(async ct =>
        {
            lastId = await store.GetSettingAsync(LastIdSetting, ct);
            runId = await store.GetSettingAsync(RunIdSetting, ct);
        }, stoppingToken);
        positions.Restore(lastId);

        using var registration = follower.Follow(
            RedisKeys.SessionEvents(_self),
            lastId ?? StreamId.Start,
            batch =>
            {
                foreach (var entry in batch)
                {
                    Apply(entry);
                }

                positions.Processed(batch[^1].Id.ToString(), follower.RunId, CancellationToken.None);
                return Task.CompletedTask;
            },
            OnGap,
            runId);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, time, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await positions.FlushAsync(CancellationToken.None);
        }
    }

    private async Task SaveAsync(string position, string? runId, CancellationToken cancellationToken)
    {
        await store.SetSettingAsync(LastIdSetting, position, cancellationToken);
        if (runId is not null)
        {
            await store.SetSettingAsync(RunIdSetting, runId, cancellationToken);
        }
    }

    private void OnGap(StreamGap gap)
    {
        // Which peers' entries were lost cannot be told: every peer's sessions are pulled again (now, and for peers
        // that are only found online in the next moments, e.g. right after this daemon started).
        counters.Increment(RedisCounters.GapRepulls);
        warmup.RepullSessionsAfterGap();
    }

    internal void Apply(StreamEntry entry)
    {
        if (!SessionEventCodec.TryDecode(entry, out var sessionEvent, out var problem))
        {
            counters.Increment(RedisCounters.MalformedEvents);
            LogMalformedEvent(entry.Id.ToString(), problem);
            return;
        }

        if (sessionEvent.Source == _self)
        {
            counters.Increment(RedisCounters.MalformedEvents);
            LogMalformedEvent(entry.Id.ToString(), "its source is this computer");
            return;
        }

        counters.Increment(RedisCounters.EventsReceived);
        cache.ApplyRemoteSessionEvent(sessionEvent.EventName, sessionEvent.Session, sessionEvent.Detail);
    }

    [LoggerMessage(EventId = 540, Level = LogLevel.Warning, Message = "Skipped malformed session event {Id}: {Problem}.")]
    private partial void LogMalformedEvent(string id, string problem);
}
