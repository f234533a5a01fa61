using System.Diagnostics;
using TeleClaude.Contracts;

namespace TeleClaude.LoadHarness;

/// <summary>When a <see cref="ISessionsClient.SessionsState"/> push arrived (already deserialized) and how many sessions it held.</summary>
internal readonly record struct Arrival(long Timestamp, int Sessions);

/// <summary>Hub receiver that completes the armed wait on the next SessionsState push and ignores every other push.</summary>
internal sealed class SnapshotReceiver : PushReceiver
{
    private TaskCompletionSource<Arrival>? _pending;

    /// <summary>Arms a wait for the next SessionsState push; call before the Subscribe that triggers it.</summary>
    public Task<Arrival> Expect()
    {
        var tcs = new TaskCompletionSource<Arrival>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _pending, tcs);
        return tcs.Task;
    }

    public override Task SessionsState(SessionsSnapshot snapshot)
    {
        // Time-stamp first: the handler runs once the frame is read and deserialized.
        var now = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _pending, null)?.TrySetResult(new Arrival(now, snapshot.Sessions.Count));
        return Task.CompletedTask;
    }
}
