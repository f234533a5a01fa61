using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Hosting;

/// <summary>
/// Runs the daemon as a process: builds it, checks its settings and its database before anything listens, runs it until
/// it is stopped, and turns how it ended into an exit code (<see cref="ExitCodes"/>) and, when it did not end on request,
/// one line on <c>stderr</c> that says what is wrong and what to do. Never an unhandled exception with a stack trace.
/// </summary>
internal static partial class DaemonRunner
{
    private const string Prefix = "teleclaude: ";

    public static async Task<int> RunAsync(string[] args, TextWriter error, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        WebApplication? app = null;
        BackgroundService[] loops = [];
        try
        {
            // Building already reads the settings (Kestrel's listeners), so it is inside the same handling as running.
            app = TeleClaudeDaemon.Build(args, configure);

            // Settings first (resolving the store validates them), then the database: both before the host starts, so a
            // bad one stops the daemon with its one line before any service runs or any socket is bound.
            await app.Services.GetRequiredService<SessionStore>().MigrateAsync(CancellationToken.None);
            // Taken before running: RunAsync disposes the services when it returns.
            loops = app.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToArray();
            await app.RunAsync();
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync($"{Prefix}invalid configuration:");
            foreach (var failure in ex.Failures)
            {
                await error.WriteLineAsync($"  - {failure}");
            }

            return await DisposeAsync(app, ExitCodes.NeedsOperator);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException)
        {
            // A configuration file (appsettings.json, the user's config.json) that is not valid JSON.
            await error.WriteLineAsync($"{Prefix}invalid configuration: {OneLine(ex)}");
            return await DisposeAsync(app, ExitCodes.NeedsOperator);
        }
        catch (DaemonStopException ex)
        {
            await error.WriteLineAsync(Prefix + ex.Message);
            return await DisposeAsync(app, ex.ExitCode);
        }
        catch (OperationCanceledException)
        {
            // Asked to stop (SIGTERM, Ctrl+C) while still starting.
            return await DisposeAsync(app, ExitCodes.Stopped);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            // Start-up conditions the host reports as exceptions: the socket is taken, a listener cannot bind.
            await error.WriteLineAsync(Prefix + OneLine(ex));
            return await DisposeAsync(app, ExitCodes.StartFailed);
        }
        catch (Exception ex)
        {
            if (app is not null)
            {
                var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DaemonRunner));
                LogUnexpected(logger, ex);
            }

            await error.WriteLineAsync($"{Prefix}unexpected failure ({ex.GetType().Name}: {OneLine(ex)}); the log has the details.");
            return await DisposeAsync(app, ExitCodes.ServiceFailed);
        }

        if (loops.Where(s => s.ExecuteTask is { IsFaulted: true }).ToArray() is [var first, .. var others])
        {
            var more = others.Length == 0 ? "" : $" (and {others.Length} more)";
            var cause = first.ExecuteTask!.Exception!.InnerException ?? first.ExecuteTask.Exception!;
            await error.WriteLineAsync($"{Prefix}stopped because {first.GetType().Name}{more} failed: {OneLine(cause)}; the log has the details.");
            return await DisposeAsync(app, ExitCodes.ServiceFailed);
        }

        return await DisposeAsync(app, ExitCodes.Stopped);
    }

    private static async Task<int> DisposeAsync(WebApplication? app, int exitCode)
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        return exitCode;
    }

    /// <summary>The messages of an exception and its causes on one line ("Failed to load ... Could not parse ... LineNumber: 3 ...").</summary>
    private static string OneLine(Exception ex)
    {
        var parts = new List<string>();
        for (var e = ex; e is not null && parts.Count < 4; e = e.InnerException)
        {
            if (!parts.Any(p => p.Contains(e.Message, StringComparison.Ordinal)))
            {
                parts.Add(e.Message);
            }

            if (e is Storage.StorageException or DaemonStopException)
            {
                // Their message already says what the causes said, in words for people.
                break;
            }
        }

        return string.Join(" ", parts).ReplaceLineEndings(" ");
    }

    [LoggerMessage(EventId = 12, Level = LogLevel.Critical, Message = "The daemon failed unexpectedly and stops.")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);
}
