using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// Part of every endpoint's policy: a browser request whose <c>Origin</c> is neither the daemon's own origin nor
/// in <see cref="AccessOptions.AllowedOrigins"/> is refused. Browsers send <c>Origin</c> on every cross-origin
/// request that can change something (POST, WebSocket handshakes, fetch with a body), and a page cannot forge it;
/// tools such as curl or MCP clients send none and are judged by their token alone.
/// </summary>
internal sealed class AllowedOriginRequirement : IAuthorizationRequirement;

internal sealed class AllowedOriginHandler : AuthorizationHandler<AllowedOriginRequirement>
{
    private readonly HashSet<string> _allowed;

    public AllowedOriginHandler(IOptions<AccessOptions> options)
    {
        _allowed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var origin in options.Value.AllowedOrigins)
        {
            if (OriginCheck.TryNormalize(origin, out var normalized))
            {
                _allowed.Add(normalized);
            }
        }
    }

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AllowedOriginRequirement requirement)
    {
        // Hub method authorization passes a HubInvocationContext: its connection's handshake was judged already.
        string? reason = null;
        if (context.Resource is not HttpContext http || OriginCheck.IsAllowed(http.Request, _allowed, out reason))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, reason!));
        }

        return Task.CompletedTask;
    }
}

internal static class OriginCheck
{
    /// <summary>True when the request has no <c>Origin</c>, or its own origin, or an allowed one.</summary>
    public static bool IsAllowed(HttpRequest request, IReadOnlySet<string> allowed, out string? reason)
    {
        reason = null;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        var self = SelfOrigin(request);
        if (TryNormalize(origin, out var normalized) && (normalized == self || allowed.Contains(normalized)))
        {
            return true;
        }

        reason = $"Origin '{origin}' may not use this daemon: only its own origin ({self}) and the origins in TeleClaude:Access:AllowedOrigins may.";
        return false;
    }

    /// <summary><c>scheme://host:port</c> in lower case with an explicit port, or false for anything that is not an http(s) origin.</summary>
    public static bool TryNormalize(string? origin, out string normalized)
    {
        normalized = "";
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return false;
        }

        normalized = $"{uri.Scheme}://{uri.Host.ToLowerInvariant()}:{uri.Port}";
        return true;
    }

    private static string SelfOrigin(HttpRequest request)
    {
        var port = request.Host.Port ?? (request.IsHttps ? 443 : 80);
        return $"{request.Scheme}://{request.Host.Host.ToLowerInvariant()}:{port}";
    }
}
