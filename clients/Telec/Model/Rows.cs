using System.Globalization;
using System.Text;
using TeleClaude.Contracts;

namespace Telec.Model;

internal enum RowKind
{
    Computer,
    Project,
    Session,
    Todo,
}

/// <summary>One line of a tree view, with what the keys act on.</summary>
internal sealed record TreeRow(string Key, RowKind Kind, string Text, string Computer, string? ProjectPath = null, string? SessionId = null)
{
    /// <summary>True on a session row whose session waits for the user.</summary>
    public bool Waiting { get; init; }

    public bool Expandable => Kind is RowKind.Computer or RowKind.Project;
}

/// <summary>Turns the model into the lines of each view: pure functions, unit-testable without a terminal.</summary>
internal static class Rows
{
    private const string Marker = "*";

    /// <summary>First-column mark of a session that waits for the user (wins over the change marker).</summary>
    private const string WaitingMarker = "!";

    /// <summary>Shown for what a peer did not say (a session first heard of in part).</summary>
    public const string Unknown = "unknown";

    public static IReadOnlyList<TreeRow> Sessions(DashboardModel model, IReadOnlySet<string> collapsed, DateTimeOffset now, int width, TreeFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(collapsed);
        filter ??= TreeFilter.None;
        var rows = new List<TreeRow>();
        var sessionsByComputer = model.Sessions.ToLookup(s => s.Computer, StringComparer.Ordinal);
        foreach (var computer in OrderedComputers(model))
        {
            var computerMatches = filter.Matches(computer.Name);
            var sessions = sessionsByComputer[computer.Name]
                .Where(s => computerMatches || filter.Matches(s.Title, s.Agent, s.ProjectPath, ProjectName(model, computer.Name, s.ProjectPath ?? "")))
                .ToList();
            var projectPaths = model.Projects.Where(p => p.Computer == computer.Name && (computerMatches || filter.Matches(p.Name, p.Path))).Select(p => p.Path)
                .Concat(sessions.Select(s => s.ProjectPath ?? ""))
                .Distinct(StringComparer.Ordinal)
                .Select(path => (Path: path, Name: ProjectName(model, computer.Name, path)))
                .OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();
            if (filter.IsActive && !computerMatches && projectPaths.Count == 0)
            {
                continue;
            }

            var computerKey = RowKeys.Computer(computer.Name);
            var open = !collapsed.Contains(computerKey);
            rows.Add(new TreeRow(
                computerKey,
                RowKind.Computer,
                Line(model, computerKey, 0, open, $"{ComputerLabel(computer)}  · {Count(projectPaths.Count, "project")} · {Count(sessions.Count, "session")}", width),
                computer.Name));
            if (!open)
            {
                continue;
            }

            var sessionsByProject = sessions.ToLookup(s => s.ProjectPath ?? "", StringComparer.Ordinal);
            foreach (var (path, name) in projectPaths)
            {
                var projectSessions = sessionsByProject[path].OrderBy(s => s.CreatedAt).ThenBy(s => s.SessionId, StringComparer.Ordinal).ToList();
                var projectKey = RowKeys.Project(computer.Name, path);
                var projectOpen = !collapsed.Contains(projectKey);
                rows.Add(new TreeRow(
                    projectKey,
                    RowKind.Project,
                    Line(model, projectKey, 1, projectOpen, $"{name}  {path}  · {Count(projectSessions.Count, "session")}", width),
                    computer.Name,
                    path));
                if (!projectOpen)
                {
                    continue;
                }

                foreach (var session in projectSessions)
                {
                    rows.Add(SessionRow(model, session, 2, SessionText(session, now), width, path));
                }
            }
        }

        return rows;
    }

    public static IReadOnlyList<TreeRow> Preparation(DashboardModel model, IReadOnlySet<string> collapsed, int width, TreeFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(collapsed);
        filter ??= TreeFilter.None;
        var rows = new List<TreeRow>();
        var projectsByComputer = model.Projects.ToLookup(p => p.Computer, StringComparer.Ordinal);
        foreach (var computer in OrderedComputers(model))
        {
            var computerMatches = filter.Matches(computer.Name);
            var projects = projectsByComputer[computer.Name]
                .Where(p => computerMatches || filter.Matches(p.Name, p.Path) || model.TodosOf(p).Any(t => filter.Matches(t.Slug, t.Description)))
                .OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();
            if (filter.IsActive && !computerMatches && projects.Count == 0)
            {
                continue;
            }

            var computerKey = RowKeys.Computer(computer.Name);
            var open = !collapsed.Contains(computerKey);
            rows.Add(new TreeRow(
                computerKey,
                RowKind.Computer,
                Line(model, computerKey, 0, open, $"{ComputerLabel(computer)}  · {Count(projects.Count, "project")}", width),
                computer.Name));
            if (!open)
            {
                continue;
            }

            foreach (var project in projects)
            {
                var projectMatches = computerMatches || filter.Matches(project.Name, project.Path);
                var todos = model.TodosOf(project).Where(t => projectMatches || filter.Matches(t.Slug, t.Description)).ToList();
                var projectKey = RowKeys.Project(computer.Name, project.Path);
                var projectOpen = !collapsed.Contains(projectKey);
                rows.Add(new TreeRow(
                    projectKey,
                    RowKind.Project,
                    Line(model, projectKey, 1, projectOpen, $"{project.Name}  {project.Path}  · {Count(todos.Count, "todo")}{(project.Source == ProjectSource.Added ? "  (added)" : "")}", width),
                    computer.Name,
                    project.Path));
                if (!projectOpen)
                {
                    continue;
                }

                foreach (var todo in todos)
                {
                    var key = RowKeys.Todo(computer.Name, project.Path, todo.Slug);
                    var text = $"{Fit(todo.Slug, 28)}  {Fit(TodoStatusLabel(todo.Status), 11)}  req:{Flag(todo.HasRequirements)} plan:{Flag(todo.HasImplPlan)}  {OneLine(todo.Description, 200)}";
                    rows.Add(new TreeRow(key, RowKind.Todo, Line(model, key, 2, null, text, width), computer.Name, project.Path));
                }
            }
        }

        return rows;
    }

    /// <summary>
    /// The sessions that need the user, across every computer, the one waiting longest first: one line each with
    /// computer, project, title, how long it has waited and what it asks.
    /// </summary>
    public static IReadOnlyList<TreeRow> NeedsYou(DashboardModel model, DateTimeOffset now, int width, TreeFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        filter ??= TreeFilter.None;
        return model.Waiting
            .Where(s => filter.Matches(s.Computer, s.Title, s.Agent, s.ProjectPath, ProjectName(model, s.Computer, s.ProjectPath ?? "")))
            .Select(s => SessionRow(
                model,
                s,
                0,
                $"{Fit(s.Computer, 12)}  {Fit(ProjectName(model, s.Computer, s.ProjectPath ?? ""), 14)}  {Fit(s.Title ?? Unknown, 28)}  " +
                $"{Fit("waits " + Age(now - DashboardModel.WaitingSince(s)), 9)}  {Question(s)}",
                width,
                s.ProjectPath))
            .ToArray();
    }

    /// <summary>What a waiting session asks, on one line, with its choices: "asks: Bash: rm -rf build  [1 Yes · 2 Always · 3 No]".</summary>
    public static string Question(SessionInfo session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.Waiting is not { } waiting)
        {
            return "waits for you";
        }

        var choices = waiting.Choices.Count == 0 ? "" : "  [" + string.Join(" · ", waiting.Choices.Select(c => $"{c.Key} {OneLine(c.Label, 24)}")) + "]";
        return "asks: " + OneLine(waiting.Text, 80) + choices;
    }

    public static string SessionText(SessionInfo session, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.Status == SessionStatus.Waiting)
        {
            return $"{Fit(session.Title ?? Unknown, 32)}  {Fit(session.Agent ?? Unknown, 8)}  {Fit(StatusLabel(session.Status), 8)}  " +
                   $"{Fit(session.CreatedAt is { } c ? Age(now - c) + " old" : Unknown, 7)}  {Fit("waits " + Age(now - DashboardModel.WaitingSince(session)), 15)}  {Question(session)}";
        }

        var preview = new StringBuilder();
        if (session.Status == SessionStatus.Idle && !string.IsNullOrEmpty(session.LastMessage))
        {
            preview.Append("said: ").Append(OneLine(session.LastMessage, 120));
        }
        else if (!string.IsNullOrEmpty(session.LastInput))
        {
            preview.Append("in: ").Append(OneLine(session.LastInput, 60));
        }

        if (!string.IsNullOrEmpty(session.LastOutput) && !(session.Status == SessionStatus.Idle && !string.IsNullOrEmpty(session.LastMessage)))
        {
            preview.Append(preview.Length > 0 ? "  " : "").Append("out: ").Append(OneLine(session.LastOutput, 80));
        }

        var age = session.CreatedAt is { } created ? Age(now - created) + " old" : Unknown;
        return $"{Fit(session.Title ?? Unknown, 32)}  {Fit(session.Agent ?? Unknown, 8)}  {Fit(StatusLabel(session.Status), 8)}  " +
               $"{Fit(age, 7)}  {Fit("active " + Ago(now, session.LastActivity), 15)}  {preview}";
    }

    public static string StatusLabel(SessionStatus status) => status switch
    {
        SessionStatus.Starting => "starting",
        SessionStatus.Active => "active",
        SessionStatus.Idle => "idle",
        SessionStatus.Waiting => "waiting",
        SessionStatus.Unknown => Unknown,
        _ => "ended",
    };

    /// <summary>"5m ago", or "unknown" when the time is not known.</summary>
    public static string Ago(DateTimeOffset now, DateTimeOffset? then) => then is { } at ? Age(now - at) + " ago" : Unknown;

    /// <summary>The project's directory name, or "unknown" when a peer did not say.</summary>
    public static string ProjectLabel(string? path) => string.IsNullOrEmpty(path) ? Unknown : Path.GetFileName(path.TrimEnd('/'));

    public static string TodoStatusLabel(TodoStatus status) => status switch
    {
        TodoStatus.Ready => "ready",
        TodoStatus.InProgress => "in progress",
        _ => "pending",
    };

    /// <summary>Compact age: 42s, 5m, 3h, 2d.</summary>
    public static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalSeconds < 60 ? F((int)age.TotalSeconds) + "s"
            : age.TotalMinutes < 60 ? F((int)age.TotalMinutes) + "m"
            : age.TotalHours < 24 ? F((int)age.TotalHours) + "h"
            : F((int)age.TotalDays) + "d";

        static string F(int value) => value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The first line of <paramref name="text"/> (line breaks shown as ⏎), cut to <paramref name="max"/> characters with an ellipsis.</summary>
    public static string OneLine(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var line = text.Trim().ReplaceLineEndings(" ⏎ ").Replace('\t', ' ');
        return line.Length <= max ? line : line[..Math.Max(0, max - 1)] + "…";
    }

    public static string Count(int n, string noun) => n.ToString(CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? "" : "s");

    private static string ComputerLabel(ComputerInfo computer) =>
        computer.Name + (computer.IsLocal ? " (local)" : "") + (computer.Status == ComputerStatus.Offline ? " (offline)" : "");

    private static string Flag(bool on) => on ? "✓" : "·";

    private static TreeRow SessionRow(DashboardModel model, SessionInfo session, int depth, string text, int width, string? path)
    {
        var key = RowKeys.Session(session.SessionId);
        var waiting = session.Status == SessionStatus.Waiting;
        return new TreeRow(key, RowKind.Session, Line(model, key, depth, null, text, width, waiting), session.Computer, path, session.SessionId) { Waiting = waiting };
    }

    private static string Fit(string text, int width)
    {
        var line = OneLine(text, width);
        return line.PadRight(width);
    }

    private static string ProjectName(DashboardModel model, string computer, string path) =>
        model.FindProject(computer, path)?.Name ?? ProjectLabel(path);

    private static string Line(DashboardModel model, string key, int depth, bool? open, string text, int width, bool waiting = false)
    {
        var glyph = open switch
        {
            true => "▾ ",
            false => "▸ ",
            null => "",
        };
        var mark = waiting ? WaitingMarker : model.IsHighlighted(key) ? Marker : " ";
        var line = mark + new string(' ', depth * 2) + glyph + text;
        return line.Length <= width ? line : line[..Math.Max(0, width - 1)] + "…";
    }

    private static IEnumerable<ComputerInfo> OrderedComputers(DashboardModel model)
    {
        var known = model.Computers.ToDictionary(c => c.Name, StringComparer.Ordinal);

        // Computers only known through their sessions or projects still get a node.
        foreach (var name in model.Sessions.Select(s => s.Computer).Concat(model.Projects.Select(p => p.Computer)))
        {
            if (!known.ContainsKey(name))
            {
                known[name] = new ComputerInfo(name, ComputerStatus.Online, default, null, null, null, false);
            }
        }

        return known.Values
            .OrderByDescending(c => c.IsLocal)
            .ThenBy(c => c.Status)
            .ThenBy(c => c.Name, StringComparer.OrdinalIgnoreCase);
    }
}
