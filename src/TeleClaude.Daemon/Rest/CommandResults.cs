using Microsoft.AspNetCore.Http.HttpResults;
using TeleClaude.Daemon.Commands;

namespace TeleClaude.Daemon.Rest;

/// <summary>Turns a <see cref="CommandError"/> into an RFC 7807 problem response.</summary>
internal static class CommandResults
{
    public static ProblemHttpResult Problem(CommandError error) => error.Kind switch
    {
        CommandErrorKind.Invalid => TypedResults.Problem(
            detail: error.Message,
            statusCode: StatusCodes.Status400BadRequest,
            title: "Invalid request",
            extensions: error.Fields is null ? null : new Dictionary<string, object?> { ["errors"] = error.Fields }),
        CommandErrorKind.NotFound => TypedResults.Problem(detail: error.Message, statusCode: StatusCodes.Status404NotFound, title: "Not found"),
        CommandErrorKind.Unavailable => TypedResults.Problem(detail: error.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unavailable"),
        CommandErrorKind.Conflict => TypedResults.Problem(detail: error.Message, statusCode: StatusCodes.Status409Conflict, title: "Conflict"),
        _ => TypedResults.Problem(detail: error.Message, statusCode: StatusCodes.Status501NotImplemented, title: "Not supported here"),
    };
}
