using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// The authentication schemes. <see cref="Default"/> is a policy scheme that picks, per request, the scheme
/// that can judge it: a Unix-socket connection whose peer passed <see cref="UnixPeerGate"/> is the local user;
/// anything else (the TCP listener) must present the token. A cookie scheme for a browser dashboard can be
/// added beside these and chosen here when its cookie is present.
/// </summary>
internal static class AccessSchemes
{
    public const string Default = "TeleClaude";
    public const string UnixPeer = "UnixPeer";
    public const string Token = "Bearer";

    public static string Select(HttpContext context) =>
        context.Features.Get<UnixPeerFeature>() is not null ? UnixPeer : Token;
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
