using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// A real redis-server on its own loopback port with the committed test config, started for one fixture
/// and stopped afterwards. Needs redis-server on PATH (.ci/run installs it).
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private Process _process;
    private readonly string _directory;

    private RedisServer(Process process, int port, string directory, string? password)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public string? Password { get; }

    /// <summary>StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => Password is null ? $"127.0.0.1:{Port}" : $"127.0.0.1:{Port},password={Password}";

    /// <param name="password">Require this password (<c>requirepass</c>).</param>
    /// <param name="port">Listen on this port (e.g. one a daemon was configured with before Redis was up); a free one by default.</param>
    public static async Task<RedisServer> StartAsync(string? password = null, int? port = null)
    {
        port ??= FreePort();
        var directory = Path.Combine(Path.GetTempPath(), "tc-redis-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var server = new RedisServer(Launch(port.Value, directory, password), port.Value, directory, password);
        await server.WaitUntilReadyAsync();
        return server;
    }

    /// <summary>Kills the server (as a crash would) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Starts a new, empty server on the same port (no persistence: everything stored before is gone).</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        _process.Dispose();
        _process = Launch(Port, _directory, Password);
        await WaitUntilReadyAsync();
    }

    private static Process Launch(int port, string directory, string? password)
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Redis", "redis-test.conf"));
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--dir");
        start.ArgumentList.Add(directory);
        if (password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(password);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed; run `apt-get install -y redis-server` (.ci/run does).", ex);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A client connection for assertions and for injecting raw entries.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(Configuration + ",abortConnect=false");

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited at start with code {_process.ExitCode}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                await using var stream = client.GetStream();
                var ping = Password is null ? "PING\r\n" : $"AUTH {Password}\r\nPING\r\n";
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(ping));
                var buffer = new byte[64];
                var read = await stream.ReadAsync(buffer);
                if (read > 0)
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"redis-server did not accept connections on port {Port} within 5 s.");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
