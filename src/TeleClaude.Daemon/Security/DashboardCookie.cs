using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Web;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// The browser dashboard's sign-in: ASP.NET Core cookie authentication, chosen by <see cref="AccessSchemes.Select"/>
/// when a TCP request carries the cookie and no token. The cookie is issued by <see cref="LoginApi"/> in exchange for
/// the bearer token, is HttpOnly and SameSite=Strict, and its ticket is encrypted and signed with data protection
/// (keys beside the database). It holds no token, only the token's fingerprint: every request checks that fingerprint
/// against the current token, so <c>token rotate</c> signs every browser out from its next request on.
/// </summary>
internal static class DashboardCookie
{
    /// <summary>
    /// The claim holding <see cref="AccessTokenFile.FingerprintOf"/> of the token a caller presented (the bearer token, or
    /// the token the cookie was issued for): what <see cref="RevocableHubConnections"/> checks after a rotation.
    /// </summary>
    public const string FingerprintClaim = "teleclaude:token-fingerprint";

    /// <summary>
    /// One cookie name per computer: cookies are scoped by host, not port, so two daemons reached as localhost (one local,
    /// one through <c>ssh -L</c>) would otherwise overwrite each other's sign-in.
    /// </summary>
    public static string CookieName(string computer) => "TeleClaude." + computer;

    public static AuthenticationBuilder AddDashboardCookie(this AuthenticationBuilder authentication)
    {
        authentication.AddCookie(AccessSchemes.Cookie);
        authentication.Services.AddSingleton<DashboardCookieEvents>();
        authentication.Services.AddSingleton<RevocableHubConnections>();
        authentication.Services.AddHostedService<RevokedConnectionSweeper>();
        authentication.Services.Configure<HubOptions>(static hub => hub.AddFilter<RevocableHubConnections>());
        authentication.Services.AddOptions<CookieAuthenticationOptions>(AccessSchemes.Cookie)
            .Configure<IOptions<DaemonOptions>, IOptions<WebOptions>>(static (cookie, daemon, web) =>
            {
                cookie.Cookie.Name = CookieName(daemon.Value.ComputerName);
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                // The listener is plain HTTP on loopback (or behind ssh -L); a TLS proxy in front gets a Secure cookie.
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.Cookie.IsEssential = true;
                cookie.Cookie.Path = "/";
                cookie.ExpireTimeSpan = web.Value.CookieLifetime;
                cookie.SlidingExpiration = true;
                cookie.EventsType = typeof(DashboardCookieEvents);
            });
        return authentication;
    }

    /// <summary>True when the request carries this daemon's dashboard cookie.</summary>
    public static bool IsPresent(HttpContext context)
    {
        var name = context.RequestServices.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(AccessSchemes.Cookie).Cookie.Name;
        return name is not null && context.Request.Cookies.ContainsKey(name);
    }

    /// <summary>The principal a valid login gets: the fingerprint of the token it presented.</summary>
    public static ClaimsPrincipal Principal(string token) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, "dashboard"),
            new Claim(ClaimTypes.AuthenticationMethod, "dashboard-cookie"),
            new Claim(FingerprintClaim, AccessTokenFile.FingerprintOf(token)),
        ],
        AccessSchemes.Cookie));
}

/// <summary>
/// Checks every cookie-authenticated request, and answers refusals the way the token scheme does (a 401 problem,
/// never a redirect to a login page: the dashboard's own page shows how to sign in).
/// </summary>
internal sealed partial class DashboardCookieEvents(AccessTokenFile tokens, IProblemDetailsService problems, ILogger<DashboardCookieEvents> logger)
    : CookieAuthenticationEvents
{
    private const string SignInHint = "Sign in to the dashboard with the URL `TeleClaude.Daemon web` prints (it carries the token once).";

    /// <summary>Marks a request whose cookie was refused for a rotated token, so the challenge also deletes the cookie.</summary>
    private static readonly object StaleKey = new();

    public override Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        // Fetch metadata: a request that another site (or another port of this host, which counts as the same site for
        // SameSite) made is not the dashboard's own, whatever cookie the browser attached. The dashboard's requests are
        // same-origin; a typed address or a bookmark is "none". Browsers without the header are covered by SameSite and
        // the origin check.
        var site = context.Request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            LogForeignSite(context.Request.Method, context.Request.Path, site);
            context.RejectPrincipal();
            return Task.CompletedTask;
        }

        if (!tokens.IsCurrentFingerprint(context.Principal?.FindFirstValue(DashboardCookie.FingerprintClaim)))
        {
            LogStaleCookie(context.Request.Method, context.Request.Path);
            context.RejectPrincipal();
            context.HttpContext.Items[StaleKey] = true;
        }

        return Task.CompletedTask;
    }

    public override async Task RedirectToLogin(RedirectContext<CookieAuthenticationOptions> context)
    {
        var stale = context.HttpContext.Items.ContainsKey(StaleKey);
        if (stale)
        {
            // The browser should forget a cookie no token will ever match again.
            context.Options.CookieManager.DeleteCookie(context.HttpContext, context.Options.Cookie.Name!, context.Options.Cookie.Build(context.HttpContext));
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context.HttpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = stale ? "The token this browser signed in with was rotated. " + SignInHint : SignInHint,
            },
        });
    }

    public override Task RedirectToAccessDenied(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 762, Level = LogLevel.Information, Message = "Refused {Method} {Path}: the dashboard cookie was issued for a token that has been rotated since.")]
    private partial void LogStaleCookie(string method, PathString path);

    [LoggerMessage(EventId = 763, Level = LogLevel.Warning, Message = "Refused {Method} {Path}: a request with the dashboard cookie made by another site (Sec-Fetch-Site: {Site}).")]
    private partial void LogForeignSite(string method, PathString path, string site);
}
