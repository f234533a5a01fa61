using System.Text;
using CliWrap;
using CliWrap.Buffered;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// Drives <c>seed-peer.sh</c>: a peer written only from the README's MUST rows in bash and redis-cli (no PUBLISH),
/// on the test's redis-server. Processes run through CliWrap, which kills them when their token is cancelled.
/// </summary>
internal sealed class SeedPeer : IAsyncDisposable
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Redis", "seed-peer.sh");

    private readonly RedisServer _redis;
    private CancellationTokenSource? _running;
    private Task? _process;

    private SeedPeer(RedisServer redis, string name, string directory)
    {
        _redis = redis;
        Name = name;
        Directory = directory;
    }

    public string Name { get; }

    public string Directory { get; }

    public static SeedPeer Create(RedisServer redis, string name)
    {
        var directory = Path.Combine(Path.GetTempPath(), "tc-peer-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var peer = new SeedPeer(redis, name, directory);
        peer.SetSessions("[]");
        return peer;
    }

    /// <summary>The JSON array the peer answers list_sessions with.</summary>
    public void SetSessions(string json) => File.WriteAllText(Path.Combine(Directory, "sessions.json"), json);

    /// <summary>Starts the heartbeat loop (<c>run</c>: and the request loop) in the background.</summary>
    public void Start(string mode = "run", bool interested = false)
    {
        _running = new CancellationTokenSource();
        _process = Command(mode)
            .WithEnvironmentVariables(e => e.Set("INTERESTED", interested ? "1" : "0"))
            .ExecuteAsync(_running.Token)
            .Task;
    }

    /// <summary>Stops the loops (the process tree is killed), as a computer that goes away.</summary>
    public async Task StopAsync()
    {
        if (_running is null)
        {
            return;
        }

        await _running.CancelAsync();
        try
        {
            await _process!.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }

        _running.Dispose();
        _running = null;
    }

    /// <summary><c>XADD session_events:{target} * event ... source NAME data JSON</c>; returns the entry id.</summary>
    public async Task<string> EventAsync(string target, string eventName, string json, CancellationToken cancellationToken) =>
        (await RunAsync(["event", target, eventName, json], cancellationToken)).Trim();

    /// <summary>Sends a request to <paramref name="target"/> and returns its answer's chunk (empty when none came within 10 s).</summary>
    public async Task<string> RequestAsync(string target, string command, CancellationToken cancellationToken) =>
        (await RunAsync(["request", target, command], cancellationToken)).Trim();

    /// <summary>The requests the peer answered so far.</summary>
    public IReadOnlyList<(string Id, string Initiator, string Command)> Requests()
    {
        var log = Path.Combine(Directory, "requests.log");
        return File.Exists(log)
            ? File.ReadAllLines(log).Select(l => l.Split(' ')).Where(p => p.Length == 3).Select(p => (p[0], p[1], p[2])).ToArray()
            : [];
    }

    private Command Command(params string[] args) =>
        Cli.Wrap("bash").WithArguments([Script, Name, _redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Directory, .. args])
            .WithValidation(CommandResultValidation.None);

    private async Task<string> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var result = await Command(args).ExecuteBufferedAsync(Encoding.UTF8, timeout.Token);
        Assert.That(result.ExitCode, Is.Zero, $"seed-peer.sh {string.Join(' ', args)}: {result.StandardError}");
        return result.StandardOutput;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
