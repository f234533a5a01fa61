using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Projects;

/// <summary>
/// The local computer's projects and their todos, read fresh from disk: the configured directories, then the ones
/// added at run time (<see cref="ProjectCommands"/>; kept in SQLite and loaded on start by <see cref="AddedProjectsLoader"/>).
/// </summary>
internal sealed partial class ProjectCatalog(IOptions<DaemonOptions> options, ILogger<ProjectCatalog> logger)
{
    // Replaced whole on every change: readers never lock.
    private volatile IReadOnlyList<ProjectInfo> _added = [];

    private readonly IReadOnlyList<ProjectInfo> _configured = options.Value.Projects
        .Select(p =>
        {
            var path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(p.Path));
            var name = string.IsNullOrWhiteSpace(p.Name) ? Path.GetFileName(path) : p.Name;
            return new ProjectInfo(name, p.Description, path, options.Value.ComputerName);
        })
        .ToArray();

    /// <summary>Configured, then added projects whose directory exists now; a path both configured and added is listed once, as configured.</summary>
    public IReadOnlyList<ProjectInfo> List() =>
        _configured.Concat(_added.Where(a => !IsConfigured(a.Path))).Where(p => Directory.Exists(p.Path)).ToArray();

    /// <summary>The configured or added project at exactly <paramref name="path"/> (after normalising), or null.</summary>
    public ProjectInfo? Find(string? path)
    {
        if (Normalize(path) is not { } normalized)
        {
            return null;
        }

        return _configured.FirstOrDefault(p => string.Equals(p.Path, normalized, StringComparison.Ordinal))
            ?? _added.FirstOrDefault(p => string.Equals(p.Path, normalized, StringComparison.Ordinal));
    }

    /// <summary>True when <paramref name="normalizedPath"/> is a configured project (whether or not its directory exists now).</summary>
    public bool IsConfigured(string normalizedPath) =>
        _configured.Any(p => string.Equals(p.Path, normalizedPath, StringComparison.Ordinal));

    /// <summary>The added project at <paramref name="normalizedPath"/>, whether or not its directory exists now.</summary>
    public ProjectInfo? FindAdded(string normalizedPath) =>
        _added.FirstOrDefault(p => string.Equals(p.Path, normalizedPath, StringComparison.Ordinal));

    /// <summary>Replaces the added projects (on start, and after each add or remove, which are serialized by their caller).</summary>
    public void SetAdded(IEnumerable<ProjectInfo> added) =>
        _added = added.Select(p => p with { Computer = options.Value.ComputerName, Source = ProjectSource.Added }).ToArray();

    /// <summary>The project identity of <paramref name="path"/>: absolute, normalised, without a trailing separator; null when it cannot be one.</summary>
    public static string? Normalize(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path) || path.Any(char.IsControl))
        {
            return null;
        }

        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
    }

    /// <summary>Todos of a configured project; empty when it has no readable roadmap.</summary>
    public async Task<IReadOnlyList<TodoInfo>> ReadTodosAsync(ProjectInfo project, CancellationToken cancellationToken)
    {
        var todosDir = Path.Combine(project.Path, "todos");
        var roadmap = Path.Combine(todosDir, "roadmap.md");
        string text;
        try
        {
            text = await File.ReadAllTextAsync(roadmap, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogRoadmapUnreadable(roadmap, ex);
            return [];
        }

        return RoadmapParser.Parse(text, relative => File.Exists(Path.Combine(todosDir, relative)));
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Roadmap {Path} could not be read; it is shown without todos.")]
    private partial void LogRoadmapUnreadable(string path, Exception exception);
}
