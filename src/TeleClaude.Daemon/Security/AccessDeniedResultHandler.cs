using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// Turns a cross-origin refusal into a 403 problem that says why (and one warning line); every other outcome
/// goes to ASP.NET Core's default handling (a challenge by the request's scheme, i.e. 401 with a problem).
/// </summary>
internal sealed partial class AccessDeniedResultHandler(IProblemDetailsService problems, ILogger<AccessDeniedResultHandler> logger)
    : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var origin = authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault(r => r.Handler is AllowedOriginHandler);
        if (!authorizeResult.Succeeded && origin is not null)
        {
            LogCrossOrigin(context.Request.Method, context.Request.Path, context.Request.Headers.Origin.ToString());
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = "Cross-origin request refused", Detail = origin.Message },
            });
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    [LoggerMessage(EventId = 712, Level = LogLevel.Warning, Message = "Refused {Method} {Path}: cross-origin request from {Origin}.")]
    private partial void LogCrossOrigin(string method, string path, string origin);
}
