using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// The bearer-token scheme of the TCP listener: <c>Authorization: Bearer &lt;token&gt;</c>, or, on a WebSocket
/// handshake or an event-stream GET (whose browser APIs cannot set headers), the SignalR client convention
/// <c>?access_token=&lt;token&gt;</c>. The token is compared in constant time with the one in
/// <see cref="AccessTokenFile"/>. A refusal is a 401 problem that says what to send.
/// </summary>
internal sealed partial class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AccessTokenFile tokens,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string WrongToken = "The bearer token is wrong (it may have been rotated: `TeleClaude.Daemon token show` prints the current one).";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Presented(Request) is not { } presented)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!tokens.Matches(presented))
        {
            return Task.FromResult(AuthenticateResult.Fail(WrongToken));
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, "token-holder"),
                new Claim(ClaimTypes.AuthenticationMethod, "bearer-token"),
                // Which token opened a long-lived connection (a hub WebSocket): closed when that token is rotated.
                new Claim(DashboardCookie.FingerprintClaim, AccessTokenFile.FingerprintOf(presented)),
            ],
            Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var wrong = (await HandleAuthenticateOnceSafeAsync()).Failure is not null;
        if (wrong)
        {
            LogWrongToken(Logger, Request.Method, Request.Path, Context.Connection.RemoteIpAddress);
        }
        else
        {
            LogNoToken(Logger, Request.Method, Request.Path, Context.Connection.RemoteIpAddress);
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = wrong ? "Bearer error=\"invalid_token\"" : "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = wrong
                    ? WrongToken
                    : "This listener needs the daemon's token: send `Authorization: Bearer <token>` (`TeleClaude.Daemon token show` prints it; WebSocket and event-stream clients may pass ?access_token=<token>). Local tools can use the Unix socket instead, without a token.",
            },
        });
    }

    /// <summary>The token the request presents, or null when it presents none.</summary>
    internal static string? Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        // Query-string tokens end up in browser history and proxy logs, so only the requests that cannot carry a
        // header take them: WebSocket handshakes and EventSource streams (the SignalR JS client's convention).
        if (request.Query.TryGetValue("access_token", out var query) && query.Count == 1 && (IsWebSocketHandshake(request) || IsEventStream(request)))
        {
            return query[0];
        }

        return null;
    }

    private static bool IsWebSocketHandshake(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Headers.Upgrade.ToString().Equals("websocket", StringComparison.OrdinalIgnoreCase);

    private static bool IsEventStream(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(EventId = 710, Level = LogLevel.Warning, Message = "Refused {Method} {Path} from {Remote}: wrong bearer token.")]
    private static partial void LogWrongToken(ILogger logger, string method, PathString path, System.Net.IPAddress? remote);

    [LoggerMessage(EventId = 711, Level = LogLevel.Information, Message = "Refused {Method} {Path} from {Remote}: no bearer token.")]
    private static partial void LogNoToken(ILogger logger, string method, PathString path, System.Net.IPAddress? remote);
}
