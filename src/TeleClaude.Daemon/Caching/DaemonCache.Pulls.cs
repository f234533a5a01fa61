using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Caching;

/// <summary>Remote projects and todos (stale-while-refresh), and the pulls that refresh every remote category.</summary>
internal sealed partial class DaemonCache
{
    /// <summary>Local projects from disk, then cached remote projects; stale or missing remote lists are pulled in the background.</summary>
    public IReadOnlyList<ProjectInfo> GetProjects()
    {
        var projects = new List<ProjectInfo>(_projects.List());
        foreach (var computer in OnlineRemoteComputers())
        {
            projects.AddRange(GetRemoteProjects(computer));
        }

        return projects;
    }

    /// <summary>A remote computer's cached projects (possibly stale; a pull is then started). Empty until the first pull lands.</summary>
    public IReadOnlyList<ProjectInfo> GetRemoteProjects(string computer)
    {
        var key = RemoteProjectsKey(computer);
        var entry = Get<IReadOnlyList<ProjectInfo>>(key);
        if (entry is null || IsStale(entry, _options.RemoteProjectsTtl))
        {
            _ = RefreshRemoteProjects(computer);
        }

        return entry?.Value ?? [];
    }

    /// <summary>Todos of a project: read from disk when local; cached (stale-while-refresh) when remote.</summary>
    public async Task<IReadOnlyList<TodoInfo>> GetTodosAsync(string computer, string projectPath, CancellationToken cancellationToken)
    {
        if (string.Equals(computer, _local.Name, StringComparison.Ordinal))
        {
            var project = _projects.Find(projectPath);
            return project is null ? [] : await _projects.ReadTodosAsync(project, cancellationToken);
        }

        var entry = Get<IReadOnlyList<TodoInfo>>(TodosKey(computer, projectPath));
        if (entry is null || IsStale(entry, _options.TodosTtl))
        {
            _ = RefreshTodos(computer, projectPath);
        }

        return entry?.Value ?? [];
    }

    private Task RefreshRemoteProjects(string computer) =>
        _pulls.Coalesce(RemoteProjectsKey(computer), async ct =>
        {
            var projects = (await _remote.FetchProjectsAsync(computer, ct)).Select(p => p with { Computer = computer }).ToArray();
            Set<IReadOnlyList<ProjectInfo>>(CacheCategory.RemoteProjects, RemoteProjectsKey(computer), projects);
            Changes.Publish(new ProjectsChanged(new ProjectsUpdate(computer, projects)));
        });

    private Task RefreshTodos(string computer, string projectPath) =>
        _pulls.Coalesce(TodosKey(computer, projectPath), async ct =>
        {
            var todos = await _remote.FetchTodosAsync(computer, projectPath, ct);
            Set(CacheCategory.Todos, TodosKey(computer, projectPath), todos);
            Changes.Publish(new TodosChanged(new TodosUpdate(computer, projectPath, todos)));
        });

    /// <summary>Pulls a computer's sessions and replaces the cached ones (coalesced).</summary>
    public Task RefreshRemoteSessions(string computer) =>
        _pulls.Coalesce(RemoteSessionsKey(computer), async ct => ReplaceRemoteSessions(computer, await _remote.FetchSessionsAsync(computer, ct)));

    /// <summary>
    /// Pulls the sessions of every online remote computer again (coalesced with pulls already running), e.g. after
    /// entries of the event stream were lost; returns when all pulls finished or timed out.
    /// </summary>
    public Task RefreshAllRemoteSessions() => Task.WhenAll(OnlineRemoteComputers().Select(RefreshRemoteSessions));


    /// <summary>
    /// Invalidates what a view shows and pulls it again from every online remote, in parallel;
    /// returns when all pulls finished or timed out (each is bounded by the pull timeout).
    /// </summary>
    public Task RefreshAsync(string view)
    {
        var remotes = OnlineRemoteComputers();
        var pulls = new List<Task>();
        if (view == Views.Sessions)
        {
            pulls.AddRange(remotes.Select(RefreshRemoteSessions));
        }
        else if (view == Views.Preparation)
        {
            foreach (var (key, category) in _keys)
            {
                if (category is CacheCategory.RemoteProjects or CacheCategory.Todos)
                {
                    _memory.Remove(key);
                }
            }

            pulls.AddRange(remotes.Select(RefreshRemoteProjectsAndTodos));
        }
        else
        {
            throw new ArgumentException($"Unknown view '{view}'. Known views: {string.Join(", ", Views.All)}.", nameof(view));
        }

        return Task.WhenAll(pulls);
    }

    /// <summary>Pulls a computer's projects, then all their todos in parallel.</summary>
    public async Task RefreshRemoteProjectsAndTodos(string computer)
    {
        await RefreshRemoteProjects(computer);
        var projects = Get<IReadOnlyList<ProjectInfo>>(RemoteProjectsKey(computer))?.Value ?? [];
        await Task.WhenAll(projects.Select(p => RefreshTodos(computer, p.Path)));
    }
}
