using TeleClaude.Contracts;

namespace TeleClaude.LoadHarness;

/// <summary>Base of the harness's hub receivers: every push is ignored unless a receiver overrides it.</summary>
internal abstract class PushReceiver : ISessionsClient
{
    public virtual Task SessionsState(SessionsSnapshot snapshot) => Task.CompletedTask;

    public virtual Task PreparationState(PreparationSnapshot snapshot) => Task.CompletedTask;

    public virtual Task SessionCreated(SessionInfo session) => Task.CompletedTask;

    public virtual Task SessionUpdated(SessionInfo session) => Task.CompletedTask;

    public virtual Task SessionTerminated(SessionInfo session) => Task.CompletedTask;

    public virtual Task AgentEvent(AgentEventInfo agentEvent) => Task.CompletedTask;

    public virtual Task InputReceived(InputReceivedInfo input) => Task.CompletedTask;

    public virtual Task ComputerUpdated(ComputerInfo computer) => Task.CompletedTask;

    public virtual Task ComputerOffline(ComputerInfo computer) => Task.CompletedTask;

    public virtual Task ProjectsUpdated(ProjectsUpdate update) => Task.CompletedTask;

    public virtual Task TodosUpdated(TodosUpdate update) => Task.CompletedTask;

    public virtual Task SessionOutput(SessionOutput output) => Task.CompletedTask;
}
