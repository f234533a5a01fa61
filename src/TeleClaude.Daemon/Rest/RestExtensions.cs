using Microsoft.Extensions.DependencyInjection.Extensions;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Rest;

internal static class RestExtensions
{
    /// <summary>
    /// snake_case JSON and RFC 7807 problem details for every error, without stack traces: 400 for unreadable requests,
    /// 503/507 with the cause for storage faults.
    /// </summary>
    public static IServiceCollection AddRestApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o => TeleClaudeJsonContext.Configure(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<StorageExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.TryAddSingleton<DaemonClock>();
        return services;
    }

    public static WebApplication UseRestErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    public static IEndpointRouteBuilder MapRestApi(this IEndpointRouteBuilder routes) =>
        routes.MapHealthApi().MapSnapshotApi().MapSessionsApi();
}
