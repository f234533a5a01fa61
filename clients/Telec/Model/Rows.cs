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
    public bool Expandable => Kind is RowKind.Computer or RowKind.Project;
}

/// <summary>Turns the model into the lines of each view: pure functions, unit-testable without a terminal.</summary>
internal static class Rows
{
    private const string Marker = "*";

    /// <summary>Shown for what a peer did not say (a session first heard of in part).</summary>
    public const string Unknown = "unknown";

    public static IReadOnlyList<TreeRow> Sessions(DashboardModel model, IReadOnlySet<string> collapsed, DateTimeOffset now, int width)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(collapsed);
        var rows = new List<TreeRow>();
        var sessionsByComputer = model.Sessions.ToLookup(s => s.Computer, StringComparer.Ordinal);
        foreach (var computer in OrderedComputers(model))
        {
            var sessions = sessionsByComputer[computer.Name].ToList();
            var projectPaths = model.Projects.Where(p => p.Computer == computer.Name).Select(p => p.Path)
                .Concat(sessions.Select(s => s.ProjectPath ?? ""))
                .Distinct(StringComparer.Ordinal)
                .Select(path => (Path: path, Name: ProjectName(model, computer.Name, path)))
                .OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();
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
                    var key = RowKeys.Session(session.SessionId);
                    rows.Add(new TreeRow(key, RowKind.Session, Line(model, key, 2, null, SessionText(session, now), width), computer.Name, path, session.SessionId));
                }
            }
        }

        return rows;
    }

    public static IReadOnlyList<TreeRow> Preparation(DashboardModel model, IReadOnlySet<string> collapsed, int width)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(collapsed);
        var rows = new List<TreeRow>();
        var projectsByComputer = model.Projects.ToLookup(p => p.Computer, StringComparer.Ordinal);
        foreach (var computer in OrderedComputers(model))
        {
            var projects = projectsByComputer[computer.Name].OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
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
                var todos = model.TodosOf(project);
                var projectKey = RowKeys.Project(computer.Name, project.Path);
                var projectOpen = !collapsed.Contains(projectKey);
                rows.Add(new TreeRow(
                    projectKey,
                    RowKind.Project,
                    Line(model, projectKey, 1, projectOpen, $"{project.Name}  {project.Path}  · {Count(todos.Count, "todo")}", width),
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

    public static string SessionText(SessionInfo session, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(session);
        var preview = new StringBuilder();
        if (!string.IsNullOrEmpty(session.LastInput))
        {
            preview.Append("in: ").Append(OneLine(session.LastInput, 60));
        }

        if (!string.IsNullOrEmpty(session.LastOutput))
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

    private static string Fit(string text, int width)
    {
        var line = OneLine(text, width);
        return line.PadRight(width);
    }

    private static string ProjectName(DashboardModel model, string computer, string path) =>
        model.FindProject(computer, path)?.Name ?? ProjectLabel(path);

    private static string Line(DashboardModel model, string key, int depth, bool? open, string text, int width)
    {
        var glyph = open switch
        {
            true => "▾ ",
            false => "▸ ",
            null => "",
        };
        var line = (model.IsHighlighted(key) ? Marker : " ") + new string(' ', depth * 2) + glyph + text;
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
                known[name] = new ComputerInfo(name, ComputerStatus.Online, default, "", "", null, false);
            }
        }

        return known.Values
            .OrderByDescending(c => c.IsLocal)
            .ThenBy(c => c.Status)
            .ThenBy(c => c.Name, StringComparer.OrdinalIgnoreCase);
    }
}
