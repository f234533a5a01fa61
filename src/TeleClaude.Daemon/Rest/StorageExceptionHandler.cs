using Microsoft.AspNetCore.Diagnostics;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Rest;

/// <summary>
/// A request that failed because of the storage answers 503 (507 when the disk is full) with a problem whose detail says
/// what failed and why, not a bare 500. Not logged per request: <see cref="StorageHealth"/> logs once per change of state.
/// </summary>
internal sealed class StorageExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not StorageException storage)
        {
            return false;
        }

        httpContext.Response.StatusCode = storage.HttpStatus;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = storage.HttpStatus,
                Title = storage.Kind == StorageFailureKind.Full ? "Insufficient storage" : "Storage unavailable",
                Detail = storage.Message,
            },
        });
    }
}
