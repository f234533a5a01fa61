using TeleClaude.Contracts;

namespace Telec.Model;

/// <summary>
/// Everything telec shows, built from the full states and kept current by pushes. Touched on the UI thread only
/// (the receiver queues pushes and applies them there), so it needs no locks.
/// </summary>
internal sealed class DashboardModel(TimeProvider clock)
{
    /// <summary>How long a changed row keeps its marker.</summary>
    public static readonly TimeSpan HighlightFor = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, ComputerInfo> _computers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SessionInfo> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<ProjectKey, ProjectInfo> _projects = [];
    private readonly Dictionary<ProjectKey, IReadOnlyList<TodoInfo>> _todos = [];
    private readonly Dictionary<string, DateTimeOffset> _changed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SessionOutput> _outputs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);
    private readonly List<SessionInfo> _startedWaiting = [];

    public bool HasSessionsState { get; private set; }

    public bool HasPreparationState { get; private set; }

    /// <summary>When the last full state or push was applied (UTC); null before the first.</summary>
    public DateTimeOffset? LastUpdate { get; private set; }

    public IReadOnlyCollection<ComputerInfo> Computers => _computers.Values;

    public IReadOnlyCollection<SessionInfo> Sessions => _sessions.Values;

    public IReadOnlyCollection<ProjectInfo> Projects => _projects.Values;

    public IReadOnlyList<TodoInfo> TodosOf(ProjectInfo project) =>
        _todos.TryGetValue(new ProjectKey(project.Computer, project.Path), out var todos) ? todos : [];

    public ProjectInfo? FindProject(string computer, string path) =>
        _projects.TryGetValue(new ProjectKey(computer, path), out var project) ? project : null;

    public SessionInfo? FindSession(string sessionId) => _sessions.GetValueOrDefault(sessionId);

    /// <summary>The last screen pushed for a watched session; null before the first.</summary>
    public SessionOutput? OutputOf(string sessionId) => _outputs.GetValueOrDefault(sessionId);

    /// <summary>Sessions that need the user, on every computer, the one waiting longest first.</summary>
    public IReadOnlyList<SessionInfo> Waiting =>
        _sessions.Values.Where(s => s.Status == SessionStatus.Waiting)
            .OrderBy(WaitingSince)
            .ThenBy(s => s.SessionId, StringComparer.Ordinal)
            .ToArray();

    /// <summary>When <paramref name="session"/> started waiting: its question's time, else its last activity.</summary>
    public static DateTimeOffset WaitingSince(SessionInfo session) =>
        session.Waiting?.Since ?? session.LastActivity ?? DateTimeOffset.MaxValue;

    /// <summary>Sessions that started waiting since the last call (for the optional bell / desktop notification).</summary>
    public IReadOnlyList<SessionInfo> TakeStartedWaiting()
    {
        var started = _startedWaiting.ToArray();
        _startedWaiting.Clear();
        return started;
    }

    /// <summary>True while <paramref name="rowKey"/> changed less than <see cref="HighlightFor"/> ago.</summary>
    public bool IsHighlighted(string rowKey) =>
        _changed.TryGetValue(rowKey, out var at) && clock.GetUtcNow() - at < HighlightFor;

    /// <summary>True while any row still carries a marker (the UI redraws until they fade).</summary>
    public bool HasHighlights
    {
        get
        {
            var now = clock.GetUtcNow();
            var any = false;
            foreach (var (key, at) in _changed.ToList())
            {
                if (now - at < HighlightFor)
                {
                    any = true;
                }
                else
                {
                    _changed.Remove(key);
                }
            }

            return any;
        }
    }

    public void ApplySessionsState(SessionsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ReplaceComputers(snapshot.Computers);
        _sessions.Clear();
        foreach (var session in snapshot.Sessions.Where(s => s.Status != SessionStatus.Terminated))
        {
            _sessions[session.SessionId] = session;
        }

        HasSessionsState = true;
        SyncWaiting();
        Touch();
    }

    public void ApplyPreparationState(PreparationSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ReplaceComputers(snapshot.Computers);
        _projects.Clear();
        _todos.Clear();
        foreach (var item in snapshot.Projects)
        {
            var key = new ProjectKey(item.Project.Computer, item.Project.Path);
            _projects[key] = item.Project;
            _todos[key] = item.Todos;
        }

        HasPreparationState = true;
        Touch();
    }

    public void UpsertSession(SessionInfo session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.Status == SessionStatus.Terminated)
        {
            RemoveSession(session);
            return;
        }

        _sessions[session.SessionId] = session;
        if (session.Status != SessionStatus.Waiting)
        {
            _waiting.Remove(session.SessionId);
        }
        else if (_waiting.Add(session.SessionId))
        {
            _startedWaiting.Add(session);
        }

        Mark(RowKeys.Session(session.SessionId));
    }

    public void RemoveSession(SessionInfo session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _sessions.Remove(session.SessionId);
        _outputs.Remove(session.SessionId);
        _waiting.Remove(session.SessionId);
        Mark(RowKeys.Project(session.Computer, session.ProjectPath ?? ""));
    }

    /// <summary>Keeps the latest screen of a watched session (older captures that arrive late are ignored).</summary>
    public void ApplyOutput(SessionOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_outputs.TryGetValue(output.SessionId, out var known) && known.CapturedAt > output.CapturedAt)
        {
            return;
        }

        _outputs[output.SessionId] = output;
        Touch();
    }

    /// <summary>Forgets the screen of a session no longer watched.</summary>
    public void ForgetOutput(string sessionId) => _outputs.Remove(sessionId);

    /// <summary>After a full state: what waits now is known, not news (no notification for what waited before telec started).</summary>
    private void SyncWaiting()
    {
        _waiting.Clear();
        _waiting.UnionWith(_sessions.Values.Where(s => s.Status == SessionStatus.Waiting).Select(s => s.SessionId));
    }

    public void UpsertComputer(ComputerInfo computer)
    {
        ArgumentNullException.ThrowIfNull(computer);
        var changed = !_computers.TryGetValue(computer.Name, out var old) || old.Status != computer.Status;
        _computers[computer.Name] = computer;
        if (changed)
        {
            Mark(RowKeys.Computer(computer.Name));
        }
        else
        {
            Touch();
        }
    }

    public void ReplaceProjects(ProjectsUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        foreach (var key in _projects.Keys.Where(k => k.Computer == update.Computer).ToList())
        {
            if (!update.Projects.Any(p => p.Path == key.Path))
            {
                _projects.Remove(key);
                _todos.Remove(key);
            }
        }

        foreach (var project in update.Projects)
        {
            _projects[new ProjectKey(project.Computer, project.Path)] = project;
        }

        Mark(RowKeys.Computer(update.Computer));
    }

    public void ReplaceTodos(TodosUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        _todos[new ProjectKey(update.Computer, update.ProjectPath)] = update.Todos;
        Mark(RowKeys.Project(update.Computer, update.ProjectPath));
    }

    private void ReplaceComputers(IReadOnlyList<ComputerInfo> computers)
    {
        _computers.Clear();
        foreach (var computer in computers)
        {
            _computers[computer.Name] = computer;
        }
    }

    private void Mark(string rowKey)
    {
        _changed[rowKey] = clock.GetUtcNow();
        Touch();
    }

    private void Touch() => LastUpdate = clock.GetUtcNow();

    private readonly record struct ProjectKey(string Computer, string Path);
}

/// <summary>Stable keys of tree rows: expansion state and selection survive redraws through them.</summary>
internal static class RowKeys
{
    public static string Computer(string name) => "c\u001f" + name;

    public static string Project(string computer, string path) => "p\u001f" + computer + "\u001f" + path;

    public static string Session(string id) => "s\u001f" + id;

    public static string Todo(string computer, string path, string slug) => "t\u001f" + computer + "\u001f" + path + "\u001f" + slug;
}
