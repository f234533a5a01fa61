using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Security;

internal static class SecurityExtensions
{
    /// <summary>
    /// Who gets in: the Unix socket's peer must be the daemon's own user (checked per connection, see
    /// <see cref="UnixPeerGate"/>); the TCP listener needs the token (except <c>/health</c>) and a loopback or
    /// configured <c>Host</c>; a browser's cross-origin request is refused everywhere. Also the TLS side of the
    /// Redis connection.
    /// </summary>
    public static WebApplicationBuilder AddDaemonSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAccessOptions();
        services.TryAddSingleton(sp => new AccessTokenFile(sp.GetRequiredService<IOptions<AccessOptions>>().Value.TokenPath!));
        services.TryAddSingleton<UnixPeerGate>();
        services.AddHostedService<AccessTokenSetup>();

        // AddAuthentication brings ASP.NET Core data protection (the dashboard cookie is encrypted with
        // it): its keys live beside the database in an owner-only directory, not in ~/.aspnet, under a fixed
        // application name so they stay valid wherever the daemon is started from.
        services.AddDataProtection().SetApplicationName("TeleClaude");
        // On Linux no key encryptor exists; the keys are protected by the 0700 directory instead, so data protection's
        // "No XML encryptor configured" warning at first start says nothing the user can act on.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<DaemonOptions>, ILoggerFactory>(static (keys, daemon, logs) =>
        {
            var directory = Path.Combine(Path.GetDirectoryName(daemon.Value.DatabasePath)!, "keys");
            DaemonPaths.EnsurePrivateDirectory(directory);
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(directory), logs);
        });
        services.AddAuthentication(AccessSchemes.Default)
            .AddPolicyScheme(AccessSchemes.Default, "TeleClaude access", o => o.ForwardDefaultSelector = AccessSchemes.Select)
            .AddScheme<AuthenticationSchemeOptions, UnixPeerAuthenticationHandler>(AccessSchemes.UnixPeer, null)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(AccessSchemes.Token, null)
            .AddDashboardCookie();

        // Every endpoint needs an authenticated caller from an allowed origin unless it says otherwise
        // (only /health does: .AllowAnonymous()); so does a request that matches no endpoint.
        services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .AddRequirements(new AllowedOriginRequirement())
            .Build());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, AllowedOriginHandler>());
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, AccessDeniedResultHandler>());

        services.AddOptions<RedisTlsOptions>().BindConfiguration(RedisTlsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisTlsOptions>, RedisTlsOptionsValidator>());
        services.TryAddSingleton<RedisConnectionSecurity>();
        if (!string.IsNullOrWhiteSpace(builder.Configuration["TeleClaude:Redis:Configuration"]))
        {
            services.AddHostedService<RedisIdentityCheck>();
        }

        return builder;
    }

    /// <summary><see cref="AccessOptions"/>, bound and validated; the token defaults to <c>api-token</c> beside the database.</summary>
    public static IServiceCollection AddAccessOptions(this IServiceCollection services)
    {
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.SectionName).ValidateOnStart()
            .PostConfigure<IOptions<DaemonOptions>>(static (access, daemon) => ApplyDefaults(access, daemon.Value));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>());
        return services;
    }

    public static void ApplyDefaults(AccessOptions access, DaemonOptions daemon)
    {
        if (string.IsNullOrWhiteSpace(access.TokenPath) && Path.IsPathFullyQualified(daemon.DatabasePath ?? ""))
        {
            access.TokenPath = Path.Combine(Path.GetDirectoryName(daemon.DatabasePath)!, "api-token");
        }
    }

    /// <summary>
    /// Host filtering on the TCP listener (ASP.NET Core's <see cref="HostFilteringMiddleware"/>, so a DNS-rebinding
    /// page gets 400), then authentication and authorization for every request. Call before mapping endpoints.
    /// </summary>
    public static WebApplication UseDaemonSecurity(this WebApplication app)
    {
        // Read when the first request needs it, so that a bad setting is reported with the others at start.
        var services = app.Services;
        var hosts = new LazyOptionsMonitor<HostFilteringOptions>(() => TcpHostFiltering(
            services.GetRequiredService<IOptions<DaemonOptions>>().Value,
            services.GetRequiredService<IOptions<AccessOptions>>().Value));
        app.UseWhen(
            static context => context.Features.Get<UnixPeerFeature>() is null,
            tcp => tcp.UseMiddleware<HostFilteringMiddleware>(hosts));
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>The loopback names, the host of <c>TcpUrl</c> and the configured ones; nothing else, and no empty Host.</summary>
    internal static HostFilteringOptions TcpHostFiltering(DaemonOptions daemon, AccessOptions access)
    {
        var hosts = new List<string> { "localhost", "127.0.0.1", "[::1]" };
        if (Uri.TryCreate(daemon.TcpUrl, UriKind.Absolute, out var tcp))
        {
            hosts.Add(tcp.Host);
        }

        hosts.AddRange(access.AllowedHosts);
        return new HostFilteringOptions
        {
            AllowedHosts = hosts.Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            AllowEmptyHosts = false,
            IncludeFailureMessage = true,
        };
    }

    private sealed class LazyOptionsMonitor<T>(Func<T> create) : IOptionsMonitor<T>
    {
        private readonly Lazy<T> _value = new(create);

        public T CurrentValue => _value.Value;

        public T Get(string? name) => _value.Value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
