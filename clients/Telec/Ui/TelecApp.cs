using TeleClaude.Client;
using Telec.Cli;
using Telec.Connection;
using Telec.Model;
using Terminal.Gui.App;

namespace Telec.Ui;

/// <summary>The interactive UI: wires the model, the hub connection and the main window, and runs the UI loop.</summary>
internal static class TelecApp
{
    public static async Task<int> RunAsync(string socketPath, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            return await NonInteractiveAsync(socketPath, error);
        }

        return Run(socketPath);
    }

    private static int Run(string socketPath)
    {
        using var app = Application.Create();
        app.Init();

        var model = new DashboardModel(TimeProvider.System);
        using var rest = new TeleClaudeRestClient(socketPath);
        MainWindow? window = null;

        // Every callback from the network goes through here: Application.Invoke runs it on the UI thread.
        void Post(Action action) => app.Invoke(action);

        var pushes = new PushQueue(Post, model, () => window?.Render());
        var connector = new HubConnector(socketPath, pushes, status => Post(() => window?.SetStatus(status)));
        window = new MainWindow(app, model, connector, rest, socketPath);
        try
        {
            connector.Start();
            app.Run(window);
        }
        finally
        {
            window.Dispose();

            // Bounded: a daemon that hangs must not keep telec from exiting.
            connector.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(3));
        }

        return 0;
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
