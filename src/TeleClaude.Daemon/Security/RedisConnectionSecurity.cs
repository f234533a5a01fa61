using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// The security side of the Redis connection. Before connecting: TLS with a private CA (validated with a custom
/// root trust, so host name and expiry are still checked) and a client certificate. After connecting: one clear
/// line for each distinct refusal by Redis (a certificate it would not accept, credentials it refused, a command
/// or key the ACL user may not use), instead of a retry loop that only says "failed".
/// </summary>
internal sealed partial class RedisConnectionSecurity(IOptions<RedisTlsOptions> tls, ILogger<RedisConnectionSecurity> logger)
{
    private readonly ConcurrentDictionary<string, bool> _reported = new(StringComparer.Ordinal);
    private string _user = "default";

    /// <summary>The ACL user this daemon means to be (<c>user=</c> of the configuration string).</summary>
    public string User => _user;

    /// <summary>Applies the TLS settings to <paramref name="options"/>; call before connecting.</summary>
    public void Configure(ConfigurationOptions options)
    {
        _user = options.User ?? "default";

        // The daemon needs no admin command: keep the client library from probing with CONFIG GET on connect,
        // which a minimal ACL user is (rightly) refused. Only the stock command map is changed.
        if (ReferenceEquals(options.CommandMap, CommandMap.Default))
        {
            options.CommandMap = CommandMap.Create(new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "CONFIG" }, available: false);
        }
        var settings = tls.Value;
        if (settings.ClientCertificateFile is { Length: > 0 } certificate)
        {
            options.SetUserPemCertificate(certificate, string.IsNullOrEmpty(settings.ClientKeyFile) ? null : settings.ClientKeyFile);
        }

        X509Certificate2? ca = null;
        if (settings.CaFile is { Length: > 0 } caFile)
        {
            ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
            options.Ssl = true;
        }

        if (options.Ssl)
        {
            options.CertificateValidation += (_, certificate, chain, errors) => Validate(certificate, chain, errors, ca);
        }
    }

    /// <summary>Starts reporting refusals of <paramref name="redis"/>; call right after connecting.</summary>
    public IConnectionMultiplexer Watch(IConnectionMultiplexer redis)
    {
        redis.ConnectionFailed += (_, e) =>
        {
            if (e.FailureType == ConnectionFailureType.AuthenticationFailure)
            {
                ReportCredentialsRefused(e.Exception, e.EndPoint?.ToString());
            }
        };
        redis.ErrorMessage += (_, e) =>
        {
            if (e.Message.StartsWith("NOPERM", StringComparison.Ordinal))
            {
                ReportOnce(e.Message, message => LogPermissionDenied(_user, message));
            }
        };

        // A later refusal of the same kind after things worked again is news: report it again.
        redis.ConnectionRestored += (_, _) => _reported.Clear();
        return redis;
    }

    /// <summary>
    /// Asks Redis who it takes this connection for (<c>ACL WHOAMI</c>). That catches what no event reports: a
    /// refused password on the first connect, and a refused password that StackExchange.Redis silently replaced
    /// by the default user (when the server's default user is still enabled).
    /// </summary>
    public async Task CheckIdentityAsync(IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        try
        {
            var actual = (string?)await redis.GetDatabase().ExecuteAsync("ACL", "WHOAMI").WaitAsync(cancellationToken);
            if (actual is not null && actual != _user)
            {
                ReportOnce("whoami:" + actual, _ => LogWrongIdentity(_user, actual));
            }
        }
        catch (RedisConnectionException ex) when (ex.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            ReportCredentialsRefused(ex, redis.GetEndPoints().FirstOrDefault()?.ToString());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis unreachable or this check refused (NOPERM, reported by the ErrorMessage handler): nothing to add here.
        }
    }

    private void ReportCredentialsRefused(Exception? exception, string? endPoint)
    {
        // A TLS refusal is reported by Validate, with its reason.
        if (exception is null || Innermost(exception) is not System.Security.Authentication.AuthenticationException)
        {
            var message = exception is null ? "authentication failed" : Innermost(exception).Message;
            // One line until a connection works again: the server words the refusal differently from one attempt to the
            // next (NOAUTH, WRONGPASS), and the endpoint is written differently by the event and the configuration.
            ReportOnce("auth", _ => LogCredentialsRefused(_user, endPoint, message));
        }
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception;
    }

    internal bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2? ca)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        var problem = errors.ToString();
        if (ca is not null && errors == SslPolicyErrors.RemoteCertificateChainErrors && certificate is not null)
        {
            // The system store does not know our CA: build the chain again with it as the only root.
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.Add(ca);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            if (custom.Build(leaf))
            {
                return true;
            }

            problem = string.Join(", ", custom.ChainStatus.Select(s => s.Status));
        }

        var subject = certificate?.Subject ?? "(none)";
        ReportOnce("tls:" + subject + problem, _ => LogCertificateRefused(subject, problem, ca is null ? "the system's trusted CAs" : "TeleClaude:Redis:Tls:CaFile"));
        return false;
    }

    private void ReportOnce(string key, Action<string> log)
    {
        if (_reported.TryAdd(key, true))
        {
            log(key);
        }
    }

    [LoggerMessage(EventId = 730, Level = LogLevel.Error, Message = "Redis TLS: refused the server certificate {Subject} ({Problem}); it must be valid for the host and signed by {TrustedBy}.")]
    private partial void LogCertificateRefused(string subject, string problem, string trustedBy);

    [LoggerMessage(EventId = 731, Level = LogLevel.Error, Message = "Redis refused the credentials of user '{User}' at {EndPoint}: {Message} Check user= and password= in TeleClaude:Redis:Configuration.")]
    private partial void LogCredentialsRefused(string user, string? endPoint, string message);

    [LoggerMessage(EventId = 733, Level = LogLevel.Error, Message = "Redis took this daemon for user '{Actual}', not '{User}': the password of '{User}' was refused and the connection went on as '{Actual}'. Fix password= in TeleClaude:Redis:Configuration, and disable the default user on the server (ACL SETUSER default off).")]
    private partial void LogWrongIdentity(string user, string actual);

    [LoggerMessage(EventId = 732, Level = LogLevel.Error, Message = "Redis user '{User}' lacks a permission the daemon needs: {Message}. Grant it the ACL rule in the README (\"Redis ACL\").")]
    private partial void LogPermissionDenied(string user, string message);
}
