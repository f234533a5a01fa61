using Microsoft.AspNetCore.Http.HttpResults;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Agents;
using TeleClaude.Daemon.Commands;

namespace TeleClaude.Daemon.Rest;

/// <summary>REST for the TUI: session snapshot reads, local session records, answers and conversations.</summary>
internal static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sessions").WithTags("Sessions");
        group.MapGet("/", ListSessions);
        group.MapGet("/{sessionId}", GetSession);
        group.MapPost("/", CreateSession);
        group.MapPatch("/{sessionId}", UpdateSession);
        group.MapDelete("/{sessionId}", EndSession);
        group.MapPost("/{sessionId}/input", SendInput);
        group.MapPost("/{sessionId}/agent-events", RecordAgentStopped);
        group.MapPost("/{sessionId}/answer", Answer);
        group.MapGet("/{sessionId}/messages", GetMessages);
        return routes;
    }

    private static async Task<Ok<IReadOnlyList<SessionInfo>>> ListSessions(string? computer, DaemonCommands commands, CancellationToken cancellationToken) =>
        TypedResults.Ok(await commands.ListSessionsAsync(computer, cancellationToken));

    private static async Task<Results<Ok<SessionInfo>, ProblemHttpResult>> GetSession(string sessionId, DaemonCommands commands, CancellationToken cancellationToken) =>
        ToResult(await commands.GetSessionAsync(sessionId, cancellationToken));

    private static async Task<Results<Created<SessionInfo>, ProblemHttpResult>> CreateSession(
        CreateSessionRequest? request, DaemonCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.CreateSessionAsync(request, cancellationToken);
        return result.Error is { } error
            ? CommandResults.Problem(error)
            : TypedResults.Created($"/sessions/{result.Value!.SessionId}", result.Value);
    }

    private static async Task<Results<Ok<SessionInfo>, ProblemHttpResult>> UpdateSession(
        string sessionId, UpdateSessionRequest? request, DaemonCommands commands, CancellationToken cancellationToken) =>
        ToResult(await commands.UpdateSessionAsync(sessionId, request, cancellationToken));

    private static async Task<Results<Ok<SessionInfo>, ProblemHttpResult>> EndSession(string sessionId, DaemonCommands commands, CancellationToken cancellationToken) =>
        ToResult(await commands.EndSessionAsync(sessionId, cancellationToken));

    private static async Task<Results<Ok<SessionInfo>, ProblemHttpResult>> SendInput(
        string sessionId, SendInputRequest? request, DaemonCommands commands, CancellationToken cancellationToken) =>
        ToResult(await commands.SendInputAsync(sessionId, request, cancellationToken));

    private static async Task<Results<Ok<SessionInfo>, ProblemHttpResult>> RecordAgentStopped(
        string sessionId, AgentStoppedRequest? request, DaemonCommands commands, CancellationToken cancellationToken) =>
        ToResult(await commands.RecordAgentStoppedAsync(sessionId, request, cancellationToken));

    private static async Task<Results<Ok<SessionInfo>, ProblemHttpResult>> Answer(
        string sessionId, AnswerRequest? request, AgentCommands agents, CancellationToken cancellationToken) =>
        ToResult(await agents.AnswerAsync(sessionId, request, cancellationToken));

    private static async Task<Results<Ok<SessionMessages>, ProblemHttpResult>> GetMessages(
        string sessionId, string? since, int? limit, AgentCommands agents, CancellationToken cancellationToken)
    {
        var result = await agents.GetMessagesAsync(sessionId, since, limit, cancellationToken);
        return result.Error is { } error ? CommandResults.Problem(error) : TypedResults.Ok(result.Value!);
    }

    private static Results<Ok<SessionInfo>, ProblemHttpResult> ToResult(CommandResult<SessionInfo> result) =>
        result.Error is { } error ? CommandResults.Problem(error) : TypedResults.Ok(result.Value!);
}
