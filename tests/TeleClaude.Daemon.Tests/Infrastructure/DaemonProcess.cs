using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TeleClaude.Client;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// Boots the real daemon (the same <see cref="TeleClaudeDaemon.Build"/> as Program.cs) on real Kestrel
/// with a temp Unix socket, a temp SQLite file and one temp project with a roadmap.
/// </summary>
internal sealed class DaemonProcess : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _clients = [];
    private readonly string[] _extraArgs;
    private readonly Action<WebApplicationBuilder>? _configure;
    private WebApplication? _app;

    private DaemonProcess(string directory, string computer, string[] extraArgs, Action<WebApplicationBuilder>? configure = null)
    {
        Directory = directory;
        Computer = computer;
        _extraArgs = extraArgs;
        _configure = configure;
    }

    public string Directory { get; }

    public string Computer { get; }

    public string SocketPath => Path.Combine(Directory, "run", "d.sock");

    public string DatabasePath => Path.Combine(Directory, "d.db");

    public string ProjectPath => Path.Combine(Directory, "project");

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The daemon is not running.");

    /// <summary>Every warning and error this daemon logged (across restarts).</summary>
    public LogRecorder Logs { get; } = new();

    /// <summary>Settings that make the Redis transport react within seconds instead of a minute.</summary>
    public static readonly string[] FastTransport =
    [
        "--TeleClaude:HeartbeatInterval=00:00:01",
        "--TeleClaude:Redis:HeartbeatTtl=00:00:03",
        "--TeleClaude:Cache:ComputerTtl=00:00:03",
        "--TeleClaude:Cache:SubscribeWait=00:00:05",
    ];

    /// <summary>A daemon on <paramref name="redis"/> with <see cref="FastTransport"/> timings.</summary>
    public static Task<DaemonProcess> StartWithRedisAsync(RedisServer redis, string computer) =>
        StartAsync(computer, [$"--TeleClaude:Redis:Configuration={redis.Configuration}", .. FastTransport]);

    public static Task<DaemonProcess> StartAsync(string computer = "alpha", params string[] extraArgs) => StartAsync(computer, null, extraArgs);

    /// <summary>A daemon whose builder <paramref name="configure"/> adjusts after the tests' own settings (e.g. to record logs).</summary>
    public static async Task<DaemonProcess> StartAsync(string computer, Action<WebApplicationBuilder>? configure, params string[] extraArgs)
    {
        // Short path: Unix socket paths are limited to 107 characters.
        var directory = Path.Combine(Path.GetTempPath(), "tc-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(directory);
        var daemon = new DaemonProcess(directory, computer, extraArgs, configure);
        daemon.WriteProject();
        await daemon.StartAsync();
        return daemon;
    }

    /// <summary>This daemon's own tmux server, so tests never touch each other's sessions (or the user's).</summary>
    public string TmuxSocketName => "tc-test-" + Path.GetFileName(Directory);

    /// <summary>The stand-in agent every test session runs: it echoes each line it reads.</summary>
    public static string TestAgentScript => Path.Combine(AppContext.BaseDirectory, "Sessions", "test-agent.sh");

    /// <summary>An empty user configuration file: the developer's own ~/.config/teleclaude/config.json never reaches a test.</summary>
    public string ConfigPath => Path.Combine(Directory, "config.json");

    public string[] Args() =>
    [
        "--config", ConfigPath,
        "--socket", SocketPath,
        "--db", DatabasePath,
        "--computer", Computer,
        $"--TeleClaude:Projects:0:Path={ProjectPath}",
        "--TeleClaude:Projects:0:Description=Test project",
        $"--TeleClaude:Sessions:TmuxSocketName={TmuxSocketName}",
        "--TeleClaude:Sessions:OutputInterval=00:00:00.200",
        "--TeleClaude:Sessions:IdleAfter=00:00:01",
        "--TeleClaude:Agents:claude:Command:0=sh",
        $"--TeleClaude:Agents:claude:Command:1={TestAgentScript}",
        "--TeleClaude:Agents:codex:Command:0=sh",
        $"--TeleClaude:Agents:codex:Command:1={TestAgentScript}",
        .. _extraArgs,
    ];

    public async Task StartAsync()
    {
        if (!File.Exists(ConfigPath))
        {
            await File.WriteAllTextAsync(ConfigPath, "{}");
        }

        _app = TeleClaudeDaemon.Build(Args(), b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning).AddProvider(Logs);
            _configure?.Invoke(b);
        });
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public TeleClaudeRestClient Rest() => new(SocketPath);

    /// <summary>A counter of <c>GET /diagnostics/hub</c>.</summary>
    public async Task<long> CounterAsync(string name)
    {
        using var rest = Rest();
        return (await rest.DiagnosticsAsync()).Counters[name];
    }

    /// <summary>Creates a session in the test project through REST.</summary>
    public async Task<SessionInfo> CreateSessionAsync(string title, string? message = null, string agent = "claude")
    {
        using var rest = Rest();
        return await rest.CreateSessionAsync(new CreateSessionRequest(ProjectPath, title, agent, Message: message));
    }

    /// <summary>A started hub client whose pushes land in the returned recorder; disposed with the daemon.</summary>
    public async Task<(SessionsHubClient Hub, RecordingClient Pushes)> ConnectAsync(
        HubProtocolKind protocol = HubProtocolKind.Json,
        HttpTransportType transports = HttpTransportType.WebSockets)
    {
        var pushes = new RecordingClient();
        var hub = SessionsHubClient.Create(SocketPath, pushes, protocol, transports);
        _clients.Add(hub);
        await hub.StartAsync();
        return (hub, pushes);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await StopAsync();
        KillTmuxServer();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Ends every session of this daemon, as a crash of the whole machine would.</summary>
    public void KillTmuxServer()
    {
        var start = new System.Diagnostics.ProcessStartInfo("tmux") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-L", TmuxSocketName, "kill-server" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        process.WaitForExit(5000);
    }

    private void WriteProject()
    {
        var todos = Path.Combine(ProjectPath, "todos");
        System.IO.Directory.CreateDirectory(Path.Combine(todos, "cache-push"));
        File.WriteAllText(Path.Combine(todos, "roadmap.md"), """
            # Roadmap

            - [>] cache-push
              Cache and push architecture.
            - [.] telec-tui
            - [ ] mcp-server
              AI-to-AI.
            - [?] not-a-status
            """);
        File.WriteAllText(Path.Combine(todos, "cache-push", "requirements.md"), "# Requirements");
    }
}
