using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Web;

internal static class WebExtensions
{
    /// <summary>Where the page's own files and the vendored libraries are served from (everything but <c>/</c>).</summary>
    public const string AssetsPath = "/web";

    /// <summary>The browser dashboard's settings, its compression, and the start-up line that says where it is.</summary>
    public static IServiceCollection AddWebDashboard(this IServiceCollection services)
    {
        services.AddOptions<WebOptions>().BindConfiguration(WebOptions.SectionName).ValidateOnStart()
            .Validate(static o => o.CookieLifetime >= TimeSpan.FromMinutes(1) && o.CookieLifetime <= TimeSpan.FromDays(400),
                "TeleClaude:Web:CookieLifetime must be between 00:01:00 and 400.00:00:00 (browsers cap cookies at 400 days).");
        services.AddResponseCompression(static o =>
        {
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ResponseCompressionDefaults.MimeTypes.Append("text/javascript");
        });
        services.Configure<GzipCompressionProviderOptions>(static o => o.Level = CompressionLevel.Optimal);
        services.Configure<BrotliCompressionProviderOptions>(static o => o.Level = CompressionLevel.Optimal);
        services.AddSingleton<DashboardAssets>();
        services.AddHostedService<DashboardAnnouncer>();
        return services;
    }

    /// <summary>
    /// The page at <c>/</c>, its files under <c>/web/</c> (embedded in the daemon's assembly, compressed, revalidated with
    /// ETags) and the sign-in endpoints. The files are open to anyone who passes the Host check: they are the same for
    /// everyone and hold no data; everything the page shows comes from REST and the hub, which need the cookie.
    /// </summary>
    public static IEndpointRouteBuilder MapWebDashboard(this IEndpointRouteBuilder routes)
    {
        // Read now, while the daemon is built: a bad setting stops it with its one line before the host starts.
        _ = routes.ServiceProvider.GetRequiredService<IOptions<WebOptions>>().Value;
        routes.MapLoginApi();
        var assets = routes.ServiceProvider.GetRequiredService<DashboardAssets>();
        var serve = routes.CreateApplicationBuilder()
            // Static files are served only where no endpoint matched; here the endpoint is this very pipeline.
            .Use(static (context, next) =>
            {
                context.SetEndpoint(null);
                return next(context);
            })
            .UseResponseCompression()
            .UseStaticFiles(assets.StaticFileOptions)
            .Build();
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        routes.MapMethods("/", methods, context =>
        {
            context.Request.Path = AssetsPath + "/index.html";
            return serve(context);
        }).AllowAnonymous().WithTags("Dashboard");
        routes.MapMethods(AssetsPath + "/{**file}", methods, serve).AllowAnonymous().WithTags("Dashboard");
        return routes;
    }
}

/// <summary>The embedded files and how they are served: content types, revalidation, and the page's security headers.</summary>
internal sealed class DashboardAssets
{
    public DashboardAssets()
    {
        Files = new ManifestEmbeddedFileProvider(typeof(DashboardAssets).Assembly, "Web/assets");
        using (var index = Files.GetFileInfo("index.html").CreateReadStream())
        using (var reader = new StreamReader(index))
        {
            ContentSecurityPolicy = Web.ContentSecurityPolicy.For(reader.ReadToEnd());
        }

        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".mjs"] = "text/javascript";
        types.Mappings[".js"] = "text/javascript";
        StaticFileOptions = new StaticFileOptions
        {
            FileProvider = Files,
            RequestPath = WebExtensions.AssetsPath,
            ContentTypeProvider = types,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                // Revalidate every time (a 304 when unchanged): a daemon upgrade reaches the browser at its next load.
                headers.CacheControl = "no-cache";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
            },
        };
    }

    public IFileProvider Files { get; }

    public string ContentSecurityPolicy { get; }

    public StaticFileOptions StaticFileOptions { get; }
}

/// <summary>Says at start where the dashboard is, when the TCP listener is on (without the token: logs are kept and shared).</summary>
internal sealed partial class DashboardAnnouncer(IOptions<Configuration.DaemonOptions> daemon, ILogger<DashboardAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (WebCommand.DashboardUrl(daemon.Value) is { } url)
        {
            LogDashboard(url);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 764, Level = LogLevel.Information, Message = "Dashboard: {Url} (sign a browser in with the URL `TeleClaude.Daemon web` prints).")]
    private partial void LogDashboard(Uri url);
}
