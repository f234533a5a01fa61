using Microsoft.AspNetCore.Http.HttpResults;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Commands;
using TeleClaude.Daemon.Rest;

namespace TeleClaude.Daemon.Projects;

/// <summary>REST for adding and removing run-time projects (the list itself is <c>GET /projects</c>, with the other snapshots).</summary>
internal static class ProjectsApi
{
    public static IEndpointRouteBuilder MapProjectsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/projects").WithTags("Projects");
        group.MapPost("/", AddProject);
        group.MapDelete("/", RemoveProject);
        return routes;
    }

    private static async Task<Results<Created<ProjectInfo>, ProblemHttpResult>> AddProject(
        AddProjectRequest? request, ProjectCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.AddAsync(request, cancellationToken);
        return result.Error is { } error
            ? Problem(error)
            : TypedResults.Created($"/projects?path={Uri.EscapeDataString(result.Value!.Path)}", result.Value);
    }

    private static async Task<Results<Ok<ProjectInfo>, ProblemHttpResult>> RemoveProject(
        string? path, ProjectCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.RemoveAsync(path, cancellationToken);
        return result.Error is { } error ? Problem(error) : TypedResults.Ok(result.Value!);
    }

    private static ProblemHttpResult Problem(CommandError error) => error.Kind == CommandErrorKind.Conflict
        ? TypedResults.Problem(
            detail: error.Message,
            statusCode: StatusCodes.Status409Conflict,
            title: "Conflict",
            extensions: error.Fields is null ? null : new Dictionary<string, object?> { ["errors"] = error.Fields })
        : CommandResults.Problem(error);
}
