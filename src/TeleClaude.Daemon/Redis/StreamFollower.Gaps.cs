using StackExchange.Redis;

namespace TeleClaude.Daemon.Redis;

/// <summary>What the reader learns after each (re)connect, and how it notices entries it can no longer read.</summary>
internal sealed partial class StreamFollower
{
    /// <summary>After each (re)connect: learn this connection's id and the server's run_id; every stream is checked for gaps next.</summary>
    private async Task AfterConnectAsync(ReaderConnection connection)
    {
        var wasWakeable = _clientId is not null;
        try
        {
            var clientId = await connection.ClientIdAsync();
            // The wake-up goes out on the shared connection: make sure Redis lets it (an ACL may refuse CLIENT UNBLOCK).
            // On a connection that is not blocked it answers 0 and does nothing.
            await _shared.GetDatabase().ExecuteAsync("CLIENT", "UNBLOCK", clientId);
            _clientId = clientId;
        }
        catch (RedisServerException ex)
        {
            _clientId = null;
            if (wasWakeable || _checkedGeneration == 0)
            {
                LogCannotWake(ex.Message, UnwakeableBlock);
            }
        }

        string? runId;
        try
        {
            runId = await connection.RunIdAsync();
        }
        catch (RedisServerException)
        {
            // INFO refused (an ACL without it): restarts are then noticed only through gone or trimmed streams.
            runId = null;
        }

        var previous = Volatile.Read(ref _runId);
        Volatile.Write(ref _runId, runId);
        if (previous is not null && runId is not null && previous != runId)
        {
            LogServerRestarted(previous, runId);
        }

        foreach (var registration in _registrations.Values)
        {
            registration.NeedsCheck = true;
        }

        LogReaderConnected(_clientId ?? -1, runId ?? "?", _registrations.Count);
    }

    /// <summary>Gap checks for streams registered or reconnected since the last read (one XINFO each, only where something could be missing).</summary>
    private async Task CheckNewStreamsAsync(ReaderConnection connection, IEnumerable<Registration> registrations)
    {
        var runId = Volatile.Read(ref _runId);
        foreach (var registration in registrations)
        {
            if (!registration.NeedsCheck)
            {
                continue;
            }

            if (registration.Guard is { Seeded: false } guard)
            {
                // Before the first read from a saved position: the replay memory learns the entries just before it.
                await _verifier!.SeedAsync(connection.Database, guard, registration.Key, registration.Position);
            }

            var restarted = registration.RunId is not null && runId is not null && registration.RunId != runId;
            await CheckGapAsync(connection, registration, restarted);
            registration.RunId = runId ?? registration.RunId;
            registration.NeedsCheck = false;
        }
    }

    private async Task CheckGapAsync(ReaderConnection connection, Registration registration, bool runIdChanged)
    {
        if (registration.Position == StreamId.Start && !runIdChanged)
        {
            return;
        }

        string? reason = null;
        try
        {
            reason = GapIn(await connection.InfoAsync(registration.Key), registration);
        }
        catch (RedisServerException ex)
        {
            // Refused (an ACL without XINFO STREAM): trimmed or gone streams cannot be seen; say so once and keep reading.
            if (!_gapChecksRefused)
            {
                _gapChecksRefused = true;
                LogGapCheckRefused(ex.Message);
            }
        }

        if (reason is null && runIdChanged)
        {
            reason = "Redis restarted (new run_id); entries written before the restart may be lost";
        }

        if (reason is null || registration.OnGap is null)
        {
            if (reason is not null)
            {
                LogPositionReset(registration.Key, reason);
            }

            return;
        }

        _counters.Increment(RedisCounters.StreamGaps);
        LogGap(registration.Key, reason);
        try
        {
            registration.OnGap(new StreamGap(registration.Key, reason));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGapHandlerFailed(registration.Key, ex);
        }
    }

    /// <summary>
    /// Why entries after the registration's position may be lost, or null. A stream that is gone or was recreated is
    /// read from its start again (its new entries may have ids below the old position).
    /// </summary>
    private static string? GapIn(StreamInfo? info, Registration registration)
    {
        var position = registration.Position;
        if (info is not { } stream)
        {
            if (position == StreamId.Start)
            {
                return null;
            }

            registration.Position = StreamId.Start;
            return $"the stream is gone (last read {position})";
        }

        var last = stream.LastGeneratedId.ToString();
        if (StreamId.Compare(last, position) < 0)
        {
            registration.Position = StreamId.Start;
            return $"the stream was recreated (its last id {last} is before the last read {position})";
        }

        if (stream.Length == 0 && StreamId.Compare(last, position) > 0)
        {
            return $"every entry after the last read {position} was deleted (last id {last})";
        }

        if (stream.Length > 0 && StreamId.Compare(stream.FirstEntry.Id.ToString(), position) > 0)
        {
            // Trimming (MAXLEN) does not record what it removed; the oldest entry left being after the last one read
            // means the entries in between are gone (or, rarely, that exactly the read ones were: a harmless re-pull).
            return $"the stream was trimmed past the last read {position} (its oldest entry is {stream.FirstEntry.Id})";
        }

        return !stream.MaxDeletedEntryId.IsNull && StreamId.Compare(stream.MaxDeletedEntryId.ToString(), position) > 0
            ? $"entries after the last read {position} were deleted (up to {stream.MaxDeletedEntryId})"
            : null;
    }
}
