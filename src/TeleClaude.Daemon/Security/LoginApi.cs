using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// The dashboard's sign-in, like Jupyter's: <c>GET /login?token=...</c> (the URL <c>TeleClaude.Daemon web</c> prints)
/// exchanges the bearer token for the dashboard cookie (<see cref="DashboardCookie"/>) and redirects to <c>/</c>, so the
/// token leaves the address bar at once. <c>POST /login</c> <c>{token}</c> does the same for the page's own sign-in
/// form; <c>POST /logout</c> drops the cookie. These endpoints are open (a browser without the cookie must reach them),
/// so they check what the fallback policy would: the origin of browser POSTs. A wrong token gets nothing.
/// </summary>
internal static partial class LoginApi
{
    public const string LoginPath = "/login";

    public static IEndpointRouteBuilder MapLoginApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(LoginPath, LoginWithLink).AllowAnonymous().WithTags("Dashboard");
        routes.MapPost(LoginPath, LoginWithForm).AllowAnonymous().WithTags("Dashboard");
        routes.MapPost("/logout", Logout).AllowAnonymous().WithTags("Dashboard");
        return routes;
    }

    /// <summary>
    /// The login link. On success a redirect (302) to <c>/</c> with the cookie; on failure one to <c>/#login-failed</c>, where the
    /// page says that the link is stale and how to get a new one (a person clicking a link should land on a page, not
    /// on a JSON problem). Either way the token is gone from the address bar.
    /// </summary>
    private static async Task<RedirectHttpResult> LoginWithLink(HttpContext context, AccessTokenFile tokens, ILoggerFactory logs, string? token = null)
    {
        if (token is null || !tokens.Matches(token))
        {
            var logger = Logger(logs);
            LogRefused(logger, context.Connection.RemoteIpAddress, token is null ? "no token" : "wrong token");
            return TypedResults.Redirect("/#login-failed");
        }

        await SignInAsync(context, token, logs);
        return TypedResults.Redirect("/");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> LoginWithForm(
        HttpContext context, LoginRequest request, AccessTokenFile tokens, IOptions<AccessOptions> access, ILoggerFactory logs)
    {
        if (CrossOrigin(context, access.Value) is { } refused)
        {
            return refused;
        }

        if (string.IsNullOrWhiteSpace(request.Token) || !tokens.Matches(request.Token.Trim()))
        {
            var logger = Logger(logs);
            LogRefused(logger, context.Connection.RemoteIpAddress, "wrong token");
            return TypedResults.Problem(
                detail: "That is not this daemon's token (it may have been rotated): `TeleClaude.Daemon token show` prints the current one.",
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized");
        }

        await SignInAsync(context, request.Token.Trim(), logs);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Logout(HttpContext context, IOptions<AccessOptions> access)
    {
        if (CrossOrigin(context, access.Value) is { } refused)
        {
            return refused;
        }

        await context.SignOutAsync(AccessSchemes.Cookie);
        return TypedResults.NoContent();
    }

    private static async Task SignInAsync(HttpContext context, string token, ILoggerFactory logs)
    {
        await context.SignInAsync(AccessSchemes.Cookie, DashboardCookie.Principal(token), new AuthenticationProperties { IsPersistent = true });
        var logger = Logger(logs);
        LogSignedIn(logger, context.Connection.RemoteIpAddress);
    }

    private static ProblemHttpResult? CrossOrigin(HttpContext context, AccessOptions access)
    {
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var origin in access.AllowedOrigins)
        {
            if (OriginCheck.TryNormalize(origin, out var normalized))
            {
                allowed.Add(normalized);
            }
        }

        return OriginCheck.IsAllowed(context.Request, allowed, out var reason)
            ? null
            : TypedResults.Problem(detail: reason, statusCode: StatusCodes.Status403Forbidden, title: "Cross-origin request refused");
    }

    private static ILogger Logger(ILoggerFactory logs) => logs.CreateLogger(typeof(LoginApi).FullName!);

    [LoggerMessage(EventId = 760, Level = LogLevel.Information, Message = "A browser at {Remote} signed in to the dashboard.")]
    private static partial void LogSignedIn(ILogger logger, System.Net.IPAddress? remote);

    [LoggerMessage(EventId = 761, Level = LogLevel.Warning, Message = "Refused a dashboard sign-in from {Remote}: {Reason}.")]
    private static partial void LogRefused(ILogger logger, System.Net.IPAddress? remote, string reason);
}
