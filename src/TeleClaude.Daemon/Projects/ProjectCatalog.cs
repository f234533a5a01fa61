using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Projects;

/// <summary>The local computer's projects (configured directories) and their todos, read fresh from disk.</summary>
internal sealed partial class ProjectCatalog(IOptions<DaemonOptions> options, ILogger<ProjectCatalog> logger)
{
    private readonly IReadOnlyList<ProjectInfo> _configured = options.Value.Projects
        .Select(p =>
        {
            var path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(p.Path));
            var name = string.IsNullOrWhiteSpace(p.Name) ? Path.GetFileName(path) : p.Name;
            return new ProjectInfo(name, p.Description, path, options.Value.ComputerName);
        })
        .ToArray();

    /// <summary>Configured projects whose directory exists now.</summary>
    public IReadOnlyList<ProjectInfo> List() => _configured.Where(p => Directory.Exists(p.Path)).ToArray();

    /// <summary>The configured project at exactly <paramref name="path"/> (after normalising), or null.</summary>
    public ProjectInfo? Find(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var normalized = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        return _configured.FirstOrDefault(p => string.Equals(p.Path, normalized, StringComparison.Ordinal));
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
