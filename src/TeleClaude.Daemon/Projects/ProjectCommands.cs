using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Commands;

namespace TeleClaude.Daemon.Projects;

/// <summary>
/// Adds and removes this computer's run-time projects (the first-run path: no configuration to edit). Input is checked
/// here, once, for every adapter. Each change is written to SQLite, applied to the catalog, and pushed as
/// <c>ProjectsUpdated</c> (and the new project's todos) so preparation views update at once.
/// </summary>
internal sealed partial class ProjectCommands(
    ProjectCatalog catalog,
    AddedProjectStore store,
    DaemonCache cache,
    TimeProvider time,
    ILogger<ProjectCommands> logger) : IDisposable
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 500;

    // Check-then-write must not interleave: two adds of one path would both pass the duplicate check.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<CommandResult<ProjectInfo>> AddAsync(AddProjectRequest? request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return CommandError.Invalid("body", "A JSON body with path (an absolute directory) is required, e.g. {\"path\": \"/home/me/code/app\"}.");
        }

        var errors = new Dictionary<string, string[]>();
        var path = CheckPath(request.Path, errors);
        if (request.Name is not null && (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > MaxNameLength || request.Name.Any(char.IsControl)))
        {
            errors["name"] = [$"name must be one line of 1-{MaxNameLength} characters without control characters."];
        }

        if (request.Description is { Length: > MaxDescriptionLength } || (request.Description?.Contains('\0', StringComparison.Ordinal) ?? false))
        {
            errors["description"] = [$"description must be at most {MaxDescriptionLength} characters without NUL."];
        }

        if (errors.Count > 0)
        {
            return new CommandError(CommandErrorKind.Invalid, errors.Values.First()[0], errors);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (catalog.IsConfigured(path!))
            {
                return Conflict("path", $"'{path}' is already a project of {cache.LocalComputerName} (configured).");
            }

            if (catalog.FindAdded(path!) is not null)
            {
                return Conflict("path", $"'{path}' is already a project of {cache.LocalComputerName} (added).");
            }

            // The directory's name unless one is given; "/" has none.
            var name = request.Name?.Trim() is { Length: > 0 } given ? given : Path.GetFileName(path!) is { Length: > 0 } directory ? directory : path!;
            var project = new ProjectInfo(
                name,
                request.Description?.Trim() ?? "",
                path!,
                cache.LocalComputerName,
                ProjectSource.Added);
            await store.InsertAsync(project, time.GetUtcNow(), cancellationToken);
            catalog.SetAdded(await store.ListAsync(cancellationToken));
            LogAdded(project.Path);
            await PublishAsync(project, cancellationToken);
            return project;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<CommandResult<ProjectInfo>> RemoveAsync(string? path, CancellationToken cancellationToken)
    {
        var normalized = ProjectCatalog.Normalize(path);
        if (normalized is null)
        {
            return CommandError.Invalid("path", $"Name the project by its absolute path, e.g. ?path=/home/me/code/app (got '{path}').");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (catalog.FindAdded(normalized) is not { } project)
            {
                return catalog.IsConfigured(normalized)
                    ? Conflict("path", $"'{normalized}' is configured (TeleClaude:Projects in the daemon's settings); only projects added with POST /projects can be removed here. Remove it from the configuration instead.")
                    : new CommandError(CommandErrorKind.NotFound, $"'{normalized}' is not a project of {cache.LocalComputerName}.");
            }

            await store.DeleteAsync(normalized, cancellationToken);
            catalog.SetAdded(await store.ListAsync(cancellationToken));
            LogRemoved(normalized);
            await PublishAsync(null, cancellationToken);
            return project;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>The checked, normalised path, or null with the problem in <paramref name="errors"/>.</summary>
    private string? CheckPath(string? path, Dictionary<string, string[]> errors)
    {
        string? problem = null;
        string? normalized = null;
        if (string.IsNullOrWhiteSpace(path))
        {
            problem = "path is required: an existing directory as an absolute path, e.g. /home/me/code/app.";
        }
        else if (path.Any(char.IsControl))
        {
            problem = "path must not contain control characters.";
        }
        else if (!Path.IsPathFullyQualified(path))
        {
            problem = $"'{path}' is not an absolute path; give the full path, e.g. /home/me/code/app.";
        }
        else
        {
            normalized = ProjectCatalog.Normalize(path)!;
            if (!Directory.Exists(normalized))
            {
                problem = File.Exists(normalized)
                    ? $"'{normalized}' is a file, not a directory."
                    : $"'{normalized}' does not exist on {cache.LocalComputerName} (or the daemon cannot see it).";
            }
        }

        if (problem is not null)
        {
            errors["path"] = [problem];
            return null;
        }

        return normalized;
    }

    private async Task PublishAsync(ProjectInfo? added, CancellationToken cancellationToken)
    {
        var local = cache.LocalComputerName;
        cache.Changes.Publish(new ProjectsChanged(new ProjectsUpdate(local, catalog.List())));
        if (added is not null)
        {
            // A view that only gets ProjectsUpdated would show the new project without todos until its next full state.
            cache.Changes.Publish(new TodosChanged(new TodosUpdate(local, added.Path, await catalog.ReadTodosAsync(added, cancellationToken))));
        }
    }

    private static CommandError Conflict(string field, string message) =>
        new(CommandErrorKind.Conflict, message, new Dictionary<string, string[]> { [field] = [message] });

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Project {Path} added.")]
    private partial void LogAdded(string path);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Project {Path} removed (its directory is untouched).")]
    private partial void LogRemoved(string path);
}
