using Microsoft.AspNetCore.Http.HttpResults;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Commands;

namespace TeleClaude.Daemon.Rest;

/// <summary>REST snapshot reads of computers, projects and todos, and the refresh the TUI's 'r' triggers.</summary>
internal static class SnapshotApi
{
    public static IEndpointRouteBuilder MapSnapshotApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/computers", ListComputers).WithTags("Computers");
        routes.MapGet("/projects", ListProjects).WithTags("Projects");
        routes.MapGet("/todos", ListTodos).WithTags("Projects");
        routes.MapPost("/refresh", Refresh).WithTags("Cache");
        return routes;
    }

    private static Ok<IReadOnlyList<ComputerInfo>> ListComputers(DaemonCommands commands) => TypedResults.Ok(commands.ListComputers());

    private static Ok<IReadOnlyList<ProjectInfo>> ListProjects(string? computer, DaemonCommands commands) =>
        TypedResults.Ok(commands.ListProjects(computer));

    private static async Task<Results<Ok<IReadOnlyList<TodoInfo>>, ProblemHttpResult>> ListTodos(
        string? project, string? computer, DaemonCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.ListTodosAsync(computer, project, cancellationToken);
        return result.Error is { } error ? CommandResults.Problem(error) : TypedResults.Ok(result.Value!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Refresh(string? view, DaemonCommands commands)
    {
        if (!Views.IsKnown(view))
        {
            return CommandResults.Problem(CommandError.Invalid("view", $"Unknown view '{view}'. Known views: {string.Join(", ", Views.All)}."));
        }

        await commands.RefreshAsync(view!);
        return TypedResults.NoContent();
    }
}
