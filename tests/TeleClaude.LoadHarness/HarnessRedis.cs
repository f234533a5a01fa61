using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TeleClaude.LoadHarness;

/// <summary>
/// The harness's own redis-server: a free loopback port, a temp directory, no persistence
/// (<c>--save '' --appendonly no</c>); killed and its directory deleted on dispose.
/// </summary>
internal sealed class HarnessRedis : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly DirectoryInfo _directory;

    private HarnessRedis(Process process, DirectoryInfo directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public static async Task<HarnessRedis> StartAsync()
    {
        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("tcb-redis-");
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory.FullName,
        };
        foreach (var arg in new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory.FullName,
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
        })
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            directory.Delete(recursive: true);
            throw new InvalidOperationException("redis-server is not on PATH (apt-get install -y redis-server).", ex);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new HarnessRedis(process, directory, port);
        try
        {
            await server.WaitUntilReadyAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>A new raw RESP connection (not StackExchange.Redis: it adds no traffic of its own).</summary>
    public Task<RawRedisClient> ConnectAsync() => RawRedisClient.ConnectAsync(Port);

    public ValueTask DisposeAsync() => new(ChildProcesses.StopAndCleanAsync(_process, _directory));

    private async Task WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited at start with code {_process.ExitCode}.");
            }

            try
            {
                using var client = await ConnectAsync();
                if (await client.CommandAsync("PING") == "PONG")
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"redis-server did not answer PING on port {Port} within {StartTimeout.TotalSeconds:0} s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A minimal RESP client for INFO, PING and FLUSHALL; every call is bounded by a timeout.</summary>
internal sealed class RawRedisClient : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpClient _tcp;
    private readonly BufferedStream _stream;

    private RawRedisClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = new BufferedStream(tcp.GetStream(), 64 * 1024);
    }

    public static async Task<RawRedisClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(IPAddress.Loopback, port).WaitAsync(CommandTimeout);
            return new RawRedisClient(tcp);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command; returns a simple, integer or bulk reply as text (errors throw).</summary>
    public async Task<string?> CommandAsync(params string[] parts)
    {
        using var timeout = new CancellationTokenSource(CommandTimeout);
        var request = new StringBuilder();
        request.Append(CultureInfo.InvariantCulture, $"*{parts.Length}\r\n");
        foreach (var part in parts)
        {
            request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }

        await _stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), timeout.Token);
        await _stream.FlushAsync(timeout.Token);
        var line = await ReadLineAsync(timeout.Token);
        switch (line[0])
        {
            case '+':
            case ':':
                return line[1..];
            case '-':
                throw new InvalidOperationException($"Redis answered {string.Join(' ', parts)} with {line}");
            case '$':
                var length = int.Parse(line.AsSpan(1), CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return null;
                }

                var body = new byte[length + 2];
                await _stream.ReadExactlyAsync(body, timeout.Token);
                return Encoding.UTF8.GetString(body, 0, length);
            default:
                throw new InvalidOperationException($"Unexpected RESP reply '{line}'.");
        }
    }

    /// <summary>The numeric fields of <c>INFO stats</c>.</summary>
    public async Task<IReadOnlyDictionary<string, long>> InfoStatsAsync()
    {
        var text = await CommandAsync("INFO", "stats") ?? "";
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(line.AsSpan(colon + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                values[line[..colon]] = value;
            }
        }

        return values;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var bytes = new List<byte>(64);
        var one = new byte[1];
        while (true)
        {
            await _stream.ReadExactlyAsync(one, cancellationToken);
            if (one[0] == '\n' && bytes.Count > 0 && bytes[^1] == '\r')
            {
                bytes.RemoveAt(bytes.Count - 1);
                return Encoding.UTF8.GetString([.. bytes]);
            }

            bytes.Add(one[0]);
        }
    }
}
