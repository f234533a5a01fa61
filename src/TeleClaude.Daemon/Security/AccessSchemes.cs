using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// The authentication schemes. <see cref="Default"/> is a policy scheme that picks, per request, the scheme
/// that can judge it: a Unix-socket connection whose peer passed <see cref="UnixPeerGate"/> is the local user;
/// on the TCP listener a request that presents a token is judged by the token, one that carries the dashboard's
/// cookie (and no token) by the cookie (<see cref="DashboardCookie"/>), anything else by the token scheme, whose
/// challenge is the 401 that says what to send.
/// </summary>
internal static class AccessSchemes
{
    public const string Default = "TeleClaude";
    public const string UnixPeer = "UnixPeer";
    public const string Token = "Bearer";
    public const string Cookie = "DashboardCookie";

    public static string Select(HttpContext context)
    {
        if (context.Features.Get<UnixPeerFeature>() is not null)
        {
            return UnixPeer;
        }

        if (TokenAuthenticationHandler.Presented(context.Request) is null && DashboardCookie.IsPresent(context))
        {
            return Cookie;
        }

        return Token;
    }
}

/// <summary>The local user, on a Unix-socket connection the kernel vouched for (see <see cref="UnixPeerGate"/>).</summary>
internal sealed class UnixPeerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Context.Features.Get<UnixPeerFeature>() is not { } peer)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var uid = peer.Peer.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, "uid:" + uid), new Claim(ClaimTypes.AuthenticationMethod, "unix-peer")],
            Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }
}
