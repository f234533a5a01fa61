using System.Diagnostics;
using System.Globalization;
using TeleClaude.Contracts;

namespace TeleClaude.LoadHarness;

/// <summary>
/// Hub receiver for the event runs: records the arrival (Stopwatch timestamp, first thing in the handler, after
/// deserialization) of each SessionUpdated whose title is <c>{prefix}{index}</c> of the armed run.
/// </summary>
internal sealed class EventReceiver : PushReceiver
{
    private readonly TaskCompletionSource _state = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Run? _run;

    /// <summary>Completed by the first SessionsState (the subscription is live).</summary>
    public Task FirstState => _state.Task;

    /// <summary>Arrivals of the armed run (0 = not arrived), indexed by event.</summary>
    public long[] Arrivals => _run?.Arrivals ?? [];

    /// <summary>Events of the armed run that arrived (first copy only).</summary>
    public int Received => _run?.Received ?? 0;

    /// <summary>Copies of an event of the armed run that arrived more than once.</summary>
    public int Duplicates => _run?.Duplicates ?? 0;

    /// <summary>Starts recording titles <c>{prefix}{0..count-1}</c>.</summary>
    public void Arm(string prefix, int count) => _run = new Run(prefix, new long[count]);

    public override Task SessionUpdated(SessionInfo session)
    {
        var now = Stopwatch.GetTimestamp();
        var run = _run;
        if (run is not null && session.Title is not null && session.Title.StartsWith(run.Prefix, StringComparison.Ordinal)
            && int.TryParse(session.Title.AsSpan(run.Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && index >= 0 && index < run.Arrivals.Length)
        {
            if (Interlocked.CompareExchange(ref run.Arrivals[index], now, 0) == 0)
            {
                Interlocked.Increment(ref run.Received);
            }
            else
            {
                Interlocked.Increment(ref run.Duplicates);
            }
        }

        return Task.CompletedTask;
    }

    public override Task SessionsState(SessionsSnapshot snapshot)
    {
        _state.TrySetResult();
        return Task.CompletedTask;
    }

    private sealed class Run(string prefix, long[] arrivals)
    {
        public string Prefix { get; } = prefix;

        public long[] Arrivals { get; } = arrivals;

        public int Received;

        public int Duplicates;
    }
}
