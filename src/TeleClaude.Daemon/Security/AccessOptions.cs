using Microsoft.Extensions.Options;

namespace TeleClaude.Daemon.Security;

/// <summary>Who may use the daemon's listeners (section <c>TeleClaude:Access</c>).</summary>
internal sealed class AccessOptions
{
    public const string SectionName = "TeleClaude:Access";

    /// <summary>
    /// The file holding the bearer token every TCP request except <c>/health</c> must present. Created 0600 on
    /// first start with a random token; defaults to <c>api-token</c> beside the database.
    /// </summary>
    public string? TokenPath { get; set; }

    /// <summary>
    /// Host names (without port) the TCP listener answers besides <c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>
    /// and the host of <c>TcpUrl</c>; any other <c>Host</c> header (a DNS-rebinding page) gets 400.
    /// <c>*.example.com</c> allows subdomains.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>
    /// Browser origins (<c>scheme://host[:port]</c>) allowed to call the daemon besides its own origin. A request
    /// whose <c>Origin</c> is neither gets 403 on REST, the hub and <c>/mcp</c>.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];
}

/// <summary>Checks <see cref="AccessOptions"/> on start.</summary>
internal sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.TokenPath) || !Path.IsPathFullyQualified(options.TokenPath))
        {
            failures.Add($"TeleClaude:Access:TokenPath '{options.TokenPath}' must be an absolute path.");
        }

        for (var i = 0; i < options.AllowedHosts.Count; i++)
        {
            var host = options.AllowedHosts[i];
            if (string.IsNullOrWhiteSpace(host) || host == "*" || (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[')))
            {
                failures.Add($"TeleClaude:Access:AllowedHosts:{i} '{host}' must be a host name without port, such as teleclaude.lan or *.lan ('*' would allow DNS rebinding).");
            }
        }

        for (var i = 0; i < options.AllowedOrigins.Count; i++)
        {
            var origin = options.AllowedOrigins[i];
            if (!OriginCheck.TryNormalize(origin, out _))
            {
                failures.Add($"TeleClaude:Access:AllowedOrigins:{i} '{origin}' must be an origin such as http://localhost:3000 (http or https, a host, an optional port, no path).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
