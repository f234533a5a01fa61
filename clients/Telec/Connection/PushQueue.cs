using System.Collections.Concurrent;
using TeleClaude.Contracts;
using Telec.Diagnostics;
using Telec.Model;

namespace Telec.Connection;

/// <summary>
/// Receives every hub push on SignalR's threads and queues it; one UI-thread callback (scheduled through the
/// <see cref="UiDispatcher"/>) applies all queued pushes to the model and redraws once. A burst of pushes therefore
/// costs one redraw, and neither the model nor a view is touched off the UI thread. While no UI runs (start-up,
/// an attach in the foreground) pushes wait in the queue; <see cref="Resume"/> applies them.
/// </summary>
internal sealed class PushQueue(UiDispatcher ui, DashboardModel model, Action changed) : ISessionsClient
{
    private readonly ConcurrentQueue<Action<DashboardModel>> _pending = new();
    private int _scheduled;

    public Task SessionsState(SessionsSnapshot snapshot)
    {
        StartupTrace.Mark("sessions state received");
        return Enqueue(m => m.ApplySessionsState(snapshot));
    }

    public Task PreparationState(PreparationSnapshot snapshot) => Enqueue(m => m.ApplyPreparationState(snapshot));

    public Task SessionCreated(SessionInfo session) => Enqueue(m => m.UpsertSession(session));

    public Task SessionUpdated(SessionInfo session) => Enqueue(m => m.UpsertSession(session));

    public Task SessionTerminated(SessionInfo session) => Enqueue(m => m.RemoveSession(session));

    public Task AgentEvent(AgentEventInfo agentEvent) => Enqueue(m => m.UpsertSession(agentEvent.Session));

    public Task InputReceived(InputReceivedInfo input) => Enqueue(m => m.UpsertSession(input.Session));

    public Task ComputerUpdated(ComputerInfo computer) => Enqueue(m => m.UpsertComputer(computer));

    public Task ComputerOffline(ComputerInfo computer) => Enqueue(m => m.UpsertComputer(computer));

    public Task ProjectsUpdated(ProjectsUpdate update) => Enqueue(m => m.ReplaceProjects(update));

    public Task TodosUpdated(TodosUpdate update) => Enqueue(m => m.ReplaceTodos(update));

    public Task SessionOutput(SessionOutput output) => Enqueue(m => m.ApplyOutput(output));

    /// <summary>Runs on the UI thread of a (new) loop: applies what arrived while none ran.</summary>
    public void Resume()
    {
        Volatile.Write(ref _scheduled, 0);
        Drain();
    }

    private Task Enqueue(Action<DashboardModel> apply)
    {
        _pending.Enqueue(apply);
        if (Interlocked.Exchange(ref _scheduled, 1) == 0 && !ui.Post(Drain))
        {
            // No UI yet (or an attach has the terminal): the queue waits for Resume.
            Volatile.Write(ref _scheduled, 0);
        }

        return Task.CompletedTask;
    }

    /// <summary>Runs on the UI thread.</summary>
    private void Drain()
    {
        // Clear the flag first: a push queued while draining schedules the next drain.
        Volatile.Write(ref _scheduled, 0);
        var any = false;
        while (_pending.TryDequeue(out var apply))
        {
            apply(model);
            any = true;
        }

        if (any)
        {
            changed();
        }
    }
}
