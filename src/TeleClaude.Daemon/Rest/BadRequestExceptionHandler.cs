using Microsoft.AspNetCore.Diagnostics;

namespace TeleClaude.Daemon.Rest;

/// <summary>
/// Unreadable bodies and unbindable parameters become a 400 problem that says what was wrong
/// (e.g. "not valid JSON"), instead of a bare status; no stack trace ever reaches the client.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var detail = badRequest.InnerException is System.Text.Json.JsonException json
            ? $"{badRequest.Message} {json.Message}"
            : badRequest.Message;
        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = badRequest.StatusCode, Title = "Bad request", Detail = detail },
        });
    }
}
