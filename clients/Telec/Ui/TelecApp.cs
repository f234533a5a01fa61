using TeleClaude.Client;
using Telec.Attach;
using Telec.Cli;
using Telec.Connection;
using Telec.Diagnostics;
using Telec.Model;
using Telec.Settings;
using Terminal.Gui.App;

namespace Telec.Ui;

/// <summary>
/// The interactive UI: wires the model, the hub connection and the main window, and runs the UI loop. The hub connects
/// while Terminal.Gui starts (pushes wait in the queue until the window exists). An attach outside tmux ends the UI
/// loop, runs in the foreground, and a new loop starts on the same model and connection: the screen comes back with the
/// current state.
/// </summary>
internal static class TelecApp
{
    public static async Task<int> RunAsync(string socketPath, TelecSettings settings, string settingsPath, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            return await NonInteractiveAsync(socketPath, error);
        }

        return Run(socketPath, settings, settingsPath);
    }

    private static int Run(string socketPath, TelecSettings settings, string settingsPath)
    {
        var model = new DashboardModel(TimeProvider.System);
        var ui = new UiDispatcher();
        var state = new ViewState();
        MainWindow? window = null;
        var pushes = new PushQueue(ui, model, () => window?.OnModelChanged());
        var connector = new HubConnector(socketPath, pushes, status => ui.Post(() => window?.SetStatus(status)));
        connector.WatchFailed += (id, problem) => ui.Post(() => window?.OnWatchFailed(id, problem));

        // Terminal.Gui sleeps between loop iterations (25 a second by default) and runs work posted from other threads
        // only after the sleep: a push waited up to 40 ms before it could be drawn. 100 a second cuts that to 10 ms;
        // an idle iteration only polls input and size, so the cost stays small (docs/benchmarks.md, telec).
        Application.MaximumIterationsPerSecond = 100;

        // First: the connect and both subscriptions overlap Terminal.Gui's start instead of following it.
        connector.Start();
        using var rest = new TeleClaudeRestClient(socketPath);
        try
        {
            while (true)
            {
                (AttachPlan Plan, string Name)? attach;
                using (var app = Application.Create())
                {
                    app.Init();
                    StartupTrace.Mark("ui started");
                    window = new MainWindow(app, model, connector, rest, socketPath, settings, settingsPath, state);
                    ui.Attach(app);

                    // A status reported between the window reading it and the attach was dropped (no loop ran): read it
                    // again now that every later one is posted.
                    window.SetStatus(connector.Status);
                    pushes.Resume();
                    if (StartupTrace.Enabled)
                    {
                        app.LayoutAndDrawComplete += (_, _) => StartupTrace.MarkFirstFullDraw(model.HasSessionsState);
                    }

                    try
                    {
                        app.Run(window);
                    }
                    finally
                    {
                        ui.Detach();
                        attach = window.PendingAttach;
                        window.Dispose();
                        window = null;
                    }
                }

                if (attach is not { } pending)
                {
                    return 0;
                }

                state.Notice = RunAttach(pending.Plan).Describe(pending.Name, pending.Plan);
            }
        }
        finally
        {
            // Bounded: a daemon that hangs must not keep telec from exiting.
            connector.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(3));
        }
    }

    private static ForegroundResult RunAttach(AttachPlan plan)
    {
        try
        {
            return Attacher.RunForeground(plan);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new ForegroundResult(127, $"cannot run {plan.Argv[0]}: {ex.Message}");
        }
    }

    private static async Task<int> NonInteractiveAsync(string socketPath, TextWriter error)
    {
        using var rest = new TeleClaudeRestClient(socketPath);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await rest.HealthAsync(timeout.Token);
        }
        catch (Exception ex) when (DaemonUnreachable.IsUnreachable(ex))
        {
            await error.WriteLineAsync($"telec: {DaemonUnreachable.Message(socketPath, ex)}");
            await error.WriteLineAsync(DaemonUnreachable.StartHint);
            return 1;
        }

        await error.WriteLineAsync("telec: the interactive UI needs a terminal; use `telec list [sessions|computers|projects] [--json]`.");
        return 2;
    }
}
