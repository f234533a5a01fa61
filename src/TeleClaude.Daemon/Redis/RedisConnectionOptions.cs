using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Builds the StackExchange.Redis options of every connection the daemon opens to Redis (the shared multiplexer and
/// the stream reader's own) from <c>TeleClaude:Redis:Configuration</c>, in one place, so that whatever is applied here
/// (credentials, TLS and its certificate checks, the command map, the reconnect policy) reaches both. Each caller then sets what only its connection needs.
/// </summary>
internal sealed class RedisConnectionOptions(
    IOptions<RedisOptions> options,
    IOptions<DaemonOptions> daemonOptions,
    Security.RedisConnectionSecurity security)
{
    /// <summary>
    /// Reconnect attempts from 250 ms apart up to 5 s apart (the shared backoff's cap). StackExchange.Redis's default
    /// grows from half the connect timeout and left a restarted Redis unused for ~20 s in tests.
    /// </summary>
    internal static readonly IReconnectRetryPolicy ReconnectPolicy = new ExponentialRetry(250, 5000);

    /// <summary>The options for one connection; <paramref name="role"/> (e.g. "reader") is appended to its client name.</summary>
    public ConfigurationOptions Create(string? role = null)
    {
        var result = ConfigurationOptions.Parse(options.Value.Configuration!);
        result.AbortOnConnectFail = false;
        result.ReconnectRetryPolicy = ReconnectPolicy;
        var name = result.ClientName ?? "teleclaude-" + daemonOptions.Value.ComputerName;
        result.ClientName = role is null ? name : name + "-" + role;

        // TLS (CA, client certificate), no CONFIG probe for a minimal ACL user: the same on every connection.
        security.Configure(result);
        return result;
    }
}
