using System.Diagnostics;
using TeleClaude.Contracts;

namespace TeleClaude.LoadHarness;

/// <summary>
/// Hub receiver of the transport benchmark. Tracks which of the expected sessions the client has seen (from
/// the full state and from SessionCreated/SessionUpdated pushes) and completes <see cref="Complete"/> with the
/// arrival timestamp of the push that made the view whole. Also waits for one armed SessionUpdated.
/// Timestamps are taken first thing in each handler, after deserialization.
/// </summary>
internal sealed class ViewReceiver : PushReceiver
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _missing;
    private readonly TaskCompletionSource<long> _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (string SessionId, string Title, TaskCompletionSource<long> Done)? _update;
    private (string Computer, TaskCompletionSource<long> Done)? _online;
    private int _states;

    public ViewReceiver(IEnumerable<string> expectedSessionIds)
    {
        _missing = new HashSet<string>(expectedSessionIds, StringComparer.Ordinal);
    }

    /// <summary>Stopwatch timestamp of the push after which every expected session was present.</summary>
    public Task<long> Complete => _complete.Task;

    /// <summary>Whether the first SessionsState already held every expected session.</summary>
    public bool FirstStateComplete { get; private set; }

    /// <summary>Expected sessions not seen yet.</summary>
    public int Missing
    {
        get
        {
            lock (_lock)
            {
                return _missing.Count;
            }
        }
    }

    /// <summary>Arms a wait for the SessionUpdated push of <paramref name="sessionId"/> carrying <paramref name="title"/>.</summary>
    public Task<long> ExpectUpdate(string sessionId, string title)
    {
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _update = (sessionId, title, done);
        }

        return done.Task;
    }

    /// <summary>Arms a wait for the ComputerUpdated push that shows <paramref name="computer"/> online.</summary>
    public Task<long> ExpectOnline(string computer)
    {
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _online = (computer, done);
        }

        return done.Task;
    }

    public override Task ComputerUpdated(ComputerInfo computer)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (_online is { } online && online.Computer == computer.Name && computer.Status == ComputerStatus.Online)
            {
                _online = null;
                online.Done.TrySetResult(now);
            }
        }

        return Task.CompletedTask;
    }

    public override Task SessionsState(SessionsSnapshot snapshot)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            foreach (var session in snapshot.Sessions)
            {
                _missing.Remove(session.SessionId);
            }

            if (++_states == 1)
            {
                FirstStateComplete = _missing.Count == 0;
            }

            CheckComplete(now);
        }

        return Task.CompletedTask;
    }

    public override Task SessionCreated(SessionInfo session)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            Seen(session, now);
        }

        return Task.CompletedTask;
    }

    public override Task SessionUpdated(SessionInfo session)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            Seen(session, now);
            if (_update is { } update && update.SessionId == session.SessionId && update.Title == session.Title)
            {
                _update = null;
                update.Done.TrySetResult(now);
            }
        }

        return Task.CompletedTask;
    }

    private void Seen(SessionInfo session, long now)
    {
        // Only a full state counts as the start of a view; pushes before it do not make a view.
        if (_states > 0)
        {
            _missing.Remove(session.SessionId);
            CheckComplete(now);
        }
    }

    private void CheckComplete(long now)
    {
        if (_missing.Count == 0)
        {
            _complete.TrySetResult(now);
        }
    }
}
