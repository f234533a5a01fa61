using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using TeleClaude.Client;
using TeleClaude.Daemon;

namespace TeleClaude.LoadHarness;

/// <summary>
/// One real daemon (<see cref="TeleClaudeDaemon.Build"/>) in this process: its own temp directory with a Unix
/// socket, a SQLite file and one project, on the harness's Redis. Logs below Warning are dropped; the rest go to stderr.
/// </summary>
internal sealed class BenchDaemon : IAsyncDisposable
{
    private WebApplication? _app;

    private BenchDaemon(string name, DirectoryInfo directory)
    {
        Name = name;
        Directory = directory;
    }

    public string Name { get; }

    public DirectoryInfo Directory { get; }

    public string SocketPath => Path.Combine(Directory.FullName, "d.sock");

    public string ProjectPath => Path.Combine(Directory.FullName, "project");

    public bool Running => _app is not null;

    public string TmuxSocketName => "tcb-" + Directory.Name;

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException($"Daemon {Name} is not running.");

    /// <param name="name">The daemon's computer name.</param>
    /// <param name="redisConfiguration">The harness Redis.</param>
    /// <param name="heartbeatInterval">Heartbeat (and stats) period.</param>
    /// <param name="configure">Extra service registrations (e.g. a timing hub lifetime manager), applied last.</param>
    public static async Task<BenchDaemon> StartAsync(string name, string redisConfiguration, TimeSpan heartbeatInterval, Action<WebApplicationBuilder>? configure = null)
    {
        // Short path: Unix socket paths are limited to 107 characters.
        var directory = System.IO.Directory.CreateTempSubdirectory("tcb-");
        var daemon = new BenchDaemon(name, directory);
        System.IO.Directory.CreateDirectory(daemon.ProjectPath);
        string[] args =
        [
            "--socket", daemon.SocketPath,
            "--db", Path.Combine(directory.FullName, "d.db"),
            "--computer", name,
            $"--TeleClaude:Projects:0:Path={daemon.ProjectPath}",
            $"--TeleClaude:Redis:Configuration={redisConfiguration}",
            $"--TeleClaude:HeartbeatInterval={heartbeatInterval:c}",
            // Sessions are real tmux sessions: each daemon gets its own tmux server running a quiet stand-in
            // agent, and the pane monitor is kept out of the measurements.
            $"--TeleClaude:Sessions:TmuxSocketName={daemon.TmuxSocketName}",
            "--TeleClaude:Sessions:PollInterval=01:00:00",
            "--TeleClaude:Agents:claude:Command:0=sleep",
            "--TeleClaude:Agents:claude:Command:1=infinity",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
        ];
        var app = TeleClaudeDaemon.Build(args, b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            // Keep stdout for the tables: whatever the daemons log goes to stderr.
            b.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            configure?.Invoke(b);
        });
        try
        {
            await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await app.DisposeAsync();
            directory.Delete(recursive: true);
            throw;
        }

        daemon._app = app;
        return daemon;
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public TeleClaudeRestClient Rest() => new(SocketPath);

    /// <summary>Stops the daemon the way a shutdown does (its heartbeat key stays in Redis until it expires).</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            try
            {
                await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            finally
            {
                await app.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        using (var tmux = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("tmux", ["-L", TmuxSocketName, "kill-server"]) { RedirectStandardError = true }))
        {
            await tmux!.WaitForExitAsync();
        }

        try
        {
            Directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
