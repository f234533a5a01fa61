using System.Collections.Immutable;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Caching;

/// <summary>Sessions: local ones from SQLite, remote ones merged from pulls and events, each change published.</summary>
internal sealed partial class DaemonCache
{
    /// <summary>Local sessions straight from SQLite, then the cached sessions of every remote computer.</summary>
    public async Task<IReadOnlyList<SessionInfo>> GetSessionsAsync(CancellationToken cancellationToken)
    {
        var local = await _store.ListAsync(includeTerminated: false, cancellationToken);
        var remote = new List<ImmutableDictionary<string, SessionInfo>>();
        var count = local.Count;
        foreach (var (key, category) in _keys)
        {
            if (category == CacheCategory.RemoteSessions && _memory.TryGetValue(key, out Entry<ImmutableDictionary<string, SessionInfo>>? entry) && entry is not null)
            {
                remote.Add(entry.Value);
                count += entry.Value.Count;
            }
        }

        // Sized once: growing by doubling through thousands of sessions allocates about three times the final list.
        var sessions = new List<SessionInfo>(count);
        sessions.AddRange(local);
        foreach (var computer in remote)
        {
            sessions.AddRange(computer.Values);
        }

        return sessions;
    }

    /// <summary>A session on another computer, from the cache; null when unknown.</summary>
    public SessionInfo? FindRemoteSession(string sessionId)
    {
        foreach (var (key, category) in _keys)
        {
            if (category == CacheCategory.RemoteSessions && _memory.TryGetValue(key, out Entry<ImmutableDictionary<string, SessionInfo>>? entry)
                && entry is not null && entry.Value.TryGetValue(sessionId, out var session))
            {
                return session;
            }
        }

        return null;
    }

    /// <summary>Publishes a change to a local session (already written to SQLite by the command handler).</summary>
    public void PublishLocalSession(string eventName, SessionInfo session, string? detail = null) =>
        Changes.Publish(new SessionChanged(eventName, session, detail));

    /// <summary>Replaces a remote computer's sessions with a pulled list of complete sessions (their null fields count as unknown).</summary>
    public void ReplaceRemoteSessions(string computer, IReadOnlyList<SessionInfo> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ReplaceRemoteSessions(computer, sessions.Select(SessionPatch.Known).ToArray());
    }

    /// <summary>
    /// Replaces a remote computer's sessions with a pulled list and publishes what changed. Each listed session is
    /// merged onto the cached one (fields the peer left out keep their value); cached sessions not listed have ended.
    /// </summary>
    public void ReplaceRemoteSessions(string computer, IReadOnlyList<SessionPatch> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ImmutableDictionary<string, SessionInfo> previous, incoming;
        lock (_sessionsLock)
        {
            previous = RemoteSessions(computer);
            var builder = ImmutableDictionary.CreateBuilder<string, SessionInfo>(StringComparer.Ordinal);
            foreach (var patch in sessions)
            {
                var merged = Stamp(patch.ApplyTo(previous.GetValueOrDefault(patch.SessionId)), computer);
                if (merged.Status == SessionStatus.Terminated)
                {
                    builder.Remove(merged.SessionId);
                }
                else
                {
                    builder[merged.SessionId] = merged;
                }
            }

            incoming = builder.ToImmutable();
            Set(CacheCategory.RemoteSessions, RemoteSessionsKey(computer), incoming);
        }

        foreach (var (id, session) in incoming)
        {
            if (!previous.TryGetValue(id, out var old))
            {
                Changes.Publish(new SessionChanged(SessionEventNames.NewSession, session));
            }
            else if (old != session)
            {
                Changes.Publish(new SessionChanged(SessionEventNames.SessionUpdated, session));
            }
        }

        foreach (var (id, session) in previous)
        {
            if (!incoming.ContainsKey(id))
            {
                Changes.Publish(new SessionChanged(SessionEventNames.SessionTerminated, session with { Status = SessionStatus.Terminated }));
            }
        }
    }

    /// <summary>Applies a session event carrying a complete session (its null fields count as unknown).</summary>
    public SessionInfo? ApplyRemoteSessionEvent(string eventName, SessionInfo session, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        return ApplyRemoteSessionEvent(eventName, SessionPatch.Known(session), detail);
    }

    /// <summary>
    /// Applies a session event from a remote computer: the (possibly partial) session is merged onto the cached one,
    /// and the result is published. Duplicates and replays that change nothing publish nothing. Returns the merged
    /// session, or null when the event ended a session this cache never knew.
    /// </summary>
    public SessionInfo? ApplyRemoteSessionEvent(string eventName, SessionPatch patch, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(patch);
        SessionInfo merged;
        lock (_sessionsLock)
        {
            var current = RemoteSessions(patch.Computer);
            var known = current.GetValueOrDefault(patch.SessionId);
            merged = patch.ApplyTo(known);
            var ended = eventName == SessionEventNames.SessionTerminated || merged.Status == SessionStatus.Terminated;
            if (ended)
            {
                merged = merged with { Status = SessionStatus.Terminated };
                if (known is null)
                {
                    // The end of a session this cache never held (a replay, or a duplicate): nothing to tell anyone.
                    return null;
                }
            }
            else if (eventName is SessionEventNames.NewSession or SessionEventNames.SessionUpdated && known == merged)
            {
                // A replayed or duplicate event that changes nothing: nothing to store or push.
                return merged;
            }

            var next = ended ? current.Remove(patch.SessionId) : current.SetItem(patch.SessionId, merged);
            Set(CacheCategory.RemoteSessions, RemoteSessionsKey(patch.Computer), next);
        }

        Changes.Publish(new SessionChanged(eventName, merged, detail));
        return merged;
    }

    private static SessionInfo Stamp(SessionInfo session, string computer) =>
        session.Computer == computer ? session : session with { Computer = computer };

    private ImmutableDictionary<string, SessionInfo> RemoteSessions(string computer) =>
        _memory.TryGetValue(RemoteSessionsKey(computer), out Entry<ImmutableDictionary<string, SessionInfo>>? entry) && entry is not null
            ? entry.Value
            : ImmutableDictionary<string, SessionInfo>.Empty.WithComparers(StringComparer.Ordinal);
}
