using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Reads <c>session_events:{self}</c> into the cache (which pushes to the hub). The last processed id is
/// kept in SQLite (written at most once a second and at shutdown), so events sent while this daemon or Redis was down are replayed on start; replays and
/// duplicates are harmless because events carry the full session. Malformed entries are counted and skipped.
/// </summary>
internal sealed partial class SessionEventReceiver(
    StreamFollower follower,
    DaemonCache cache,
    SessionStore store,
    RedisCounters counters,
    IOptions<DaemonOptions> daemonOptions,
    TimeProvider time,
    ILogger<SessionEventReceiver> logger) : BackgroundService
{
    internal const string LastIdSetting = "redis.session_events.last_id";

    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(1);

    private static readonly HashSet<string> KnownEvents = new(StringComparer.Ordinal)
    {
        SessionEventNames.NewSession,
        SessionEventNames.SessionUpdated,
        SessionEventNames.SessionTerminated,
        SessionEventNames.AgentEvent,
        SessionEventNames.InputReceived,
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var saved = await store.GetSettingAsync(LastIdSetting, stoppingToken) ?? "0-0";
        var lastId = saved;
        var savedAt = time.GetUtcNow();
        var stream = RedisKeys.SessionEvents(daemonOptions.Value.ComputerName);
        try
        {
            await follower.FollowAsync(stream, lastId, async batch =>
            {
                foreach (var entry in batch)
                {
                    Apply(entry);
                }

                // The position is written at most once a second (and at shutdown), not per event: after a crash
                // up to a second of events is applied again, which is harmless (events carry the full session).
                lastId = batch[^1].Id!;
                if (time.GetUtcNow() - savedAt >= SaveInterval)
                {
                    await store.SetSettingAsync(LastIdSetting, lastId, CancellationToken.None);
                    (saved, savedAt) = (lastId, time.GetUtcNow());
                }
            }, stoppingToken);
        }
        finally
        {
            if (lastId != saved)
            {
                await store.SetSettingAsync(LastIdSetting, lastId, CancellationToken.None);
            }
        }
    }

    internal void Apply(StreamEntry entry)
    {
        if (!TryDecode(entry, out var eventName, out var session, out var detail, out var problem))
        {
            counters.Increment(RedisCounters.MalformedEvents);
            LogMalformedEvent(entry.Id.ToString(), problem);
            return;
        }

        counters.Increment(RedisCounters.EventsReceived);
        cache.ApplyRemoteSessionEvent(eventName, session, detail);
    }

    /// <summary>Decodes one entry; false with the reason when any field is missing or wrong.</summary>
    internal static bool TryDecode(StreamEntry entry, out string eventName, out SessionInfo session, out string? detail, out string problem)
    {
        eventName = "";
        session = null!;
        detail = null;
        var name = (string?)entry["event"];
        var source = (string?)entry["source"];
        var data = (string?)entry["data"];
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(source) || string.IsNullOrEmpty(data))
        {
            problem = "missing event, source or data field";
            return false;
        }

        if (!KnownEvents.Contains(name))
        {
            problem = $"unknown event '{Clip(name)}'";
            return false;
        }

        SessionInfo? decoded;
        try
        {
            using var doc = JsonDocument.Parse(data);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = "data is not a JSON object";
                return false;
            }

            decoded = doc.RootElement.Deserialize<SessionInfo>(RedisJson.Options);
            var detailName = name == SessionEventNames.AgentEvent ? "summary" : "input";
            if (doc.RootElement.TryGetProperty(detailName, out var value) && value.ValueKind == JsonValueKind.String)
            {
                detail = value.GetString();
            }
        }
        catch (JsonException ex)
        {
            problem = $"data is not a session: {ex.Message}";
            return false;
        }

        if (decoded is null || string.IsNullOrEmpty(decoded.SessionId) || decoded.Computer != source || decoded.Title is null
            || decoded.ProjectPath is null || decoded.Agent is null || decoded.CreatedAt == default)
        {
            problem = "data lacks session_id, title, project_path, agent or created_at, or its computer is not the source";
            return false;
        }

        eventName = name;
        session = decoded;
        problem = "";
        return true;
    }

    private static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "...";

    [LoggerMessage(EventId = 540, Level = LogLevel.Warning, Message = "Skipped malformed session event {Id}: {Problem}.")]
    private partial void LogMalformedEvent(string id, string problem);
}
