using Microsoft.Extensions.Options;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// TLS to Redis beyond what a StackExchange.Redis configuration string can say (section
/// <c>TeleClaude:Redis:Tls</c>): a private CA to trust and a client certificate for Redis's
/// <c>tls-auth-clients</c>. Setting any of them turns TLS on (<c>ssl=true</c>).
/// </summary>
internal sealed class RedisTlsOptions
{
    public const string SectionName = "TeleClaude:Redis:Tls";

    /// <summary>PEM file of the CA that signed the Redis server's certificate (when it is not in the system store).</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM file of this daemon's client certificate (for a Redis with <c>tls-auth-clients yes</c>).</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>PEM file of the client certificate's private key; omit when it is inside <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; set; }
}

/// <summary>Checks that the configured TLS files exist.</summary>
internal sealed class RedisTlsOptionsValidator : IValidateOptions<RedisTlsOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisTlsOptions options)
    {
        var failures = new List<string>();
        CheckFile(failures, nameof(options.CaFile), options.CaFile);
        CheckFile(failures, nameof(options.ClientCertificateFile), options.ClientCertificateFile);
        CheckFile(failures, nameof(options.ClientKeyFile), options.ClientKeyFile);
        if (options.ClientKeyFile is { Length: > 0 } && string.IsNullOrEmpty(options.ClientCertificateFile))
        {
            failures.Add("TeleClaude:Redis:Tls:ClientKeyFile is set without TeleClaude:Redis:Tls:ClientCertificateFile.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckFile(List<string> failures, string setting, string? path)
    {
        if (path is { Length: > 0 } && !File.Exists(path))
        {
            failures.Add($"TeleClaude:Redis:Tls:{setting} '{path}' does not exist.");
        }
    }
}
