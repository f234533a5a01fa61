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

    /// <summary>Applies the TLS settings to <paramref name="options"/>; call before connecting.</summary>
    public void Configure(ConfigurationOptions options)
    {
        _user = options.User ?? "default";
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
            if (e.FailureType == ConnectionFailureType.AuthenticationFailure && e.Exception is not System.Security.Authentication.AuthenticationException)
            {
                ReportOnce(e.Exception?.Message ?? "authentication failed", message => LogCredentialsRefused(_user, e.EndPoint?.ToString(), message));
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

    [LoggerMessage(EventId = 732, Level = LogLevel.Error, Message = "Redis user '{User}' lacks a permission the daemon needs: {Message}. Grant it the ACL rule in the README (\"Redis ACL\").")]
    private partial void LogPermissionDenied(string user, string message);
}
