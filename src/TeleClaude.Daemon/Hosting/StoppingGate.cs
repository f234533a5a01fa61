namespace TeleClaude.Daemon.Hosting;

internal static class StoppingGate
{
    /// <summary>
    /// Once the daemon is stopping, every new request gets 503 (<c>Retry-After: 1</c>, <c>Connection: close</c>). Between
    /// the stop signal (when SignalR closes every hub connection) and the moment Kestrel stops accepting, a client that
    /// reconnects at once (telec's and the dashboard's first retry) would otherwise open a new hub connection that nothing
    /// closes: Kestrel then waits for it until the host's shutdown timeout (30 s) before the daemon can exit. Call first.
    /// </summary>
    public static WebApplication UseStoppingGate(this WebApplication app)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        app.Use((context, next) =>
        {
            if (!stopping.IsCancellationRequested)
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            context.Response.Headers.Connection = "close";
            return Task.CompletedTask;
        });
        return app;
    }
}
