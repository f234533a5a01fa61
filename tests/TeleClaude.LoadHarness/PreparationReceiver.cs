using System.Diagnostics;
using TeleClaude.Contracts;

namespace TeleClaude.LoadHarness;

/// <summary>
/// Hub receiver for the preparation view: completes <see cref="Complete"/> (with the Stopwatch timestamp of the push
/// that did it) once a PreparationState has arrived and every expected remote project is known with all its todos,
/// from the state or from ProjectsUpdated/TodosUpdated pushes (merged: data only grows in this benchmark, and a
/// push may overtake the state on the wire).
/// </summary>
internal sealed class PreparationReceiver : PushReceiver
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Computer, string Path), int> _todos;
    private readonly int _todosPerProject;
    private readonly TaskCompletionSource<long> _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _states;
    private int _done;

    public PreparationReceiver(IEnumerable<(string Computer, string Path)> expectedProjects, int todosPerProject)
    {
        _todos = expectedProjects.ToDictionary(p => p, _ => -1);
        _todosPerProject = todosPerProject;
    }

    public Task<long> Complete => _complete.Task;

    /// <summary>Whether the first PreparationState already held every project with all todos.</summary>
    public bool FirstStateComplete { get; private set; }

    /// <summary>Expected projects not yet complete.</summary>
    public int Missing
    {
        get
        {
            lock (_lock)
            {
                return _todos.Count - _done;
            }
        }
    }

    public override Task PreparationState(PreparationSnapshot snapshot)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            foreach (var project in snapshot.Projects)
            {
                Set(project.Project.Computer, project.Project.Path, project.Todos.Count);
            }

            if (++_states == 1)
            {
                FirstStateComplete = _done == _todos.Count;
            }

            Check(now);
        }

        return Task.CompletedTask;
    }

    public override Task TodosUpdated(TodosUpdate update)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            Set(update.Computer, update.ProjectPath, update.Todos.Count);
            Check(now);
        }

        return Task.CompletedTask;
    }

    private void Set(string computer, string path, int count)
    {
        if (_todos.TryGetValue((computer, path), out var had) && had != _todosPerProject && count == _todosPerProject)
        {
            _todos[(computer, path)] = count;
            _done++;
        }
    }

    private void Check(long now)
    {
        if (_states > 0 && _done == _todos.Count)
        {
            _complete.TrySetResult(now);
        }
    }
}
