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

    private RedisServer(Process process, int port, string directory, string? password, RedisTlsFiles? tls = null)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Password = password;
        Tls = tls;
    }

    public int Port { get; }

    public string? Password { get; }

    /// <summary>The certificates of a TLS-only server (<see cref="StartTlsAsync"/>); null for a plain one.</summary>
    public RedisTlsFiles? Tls { get; }

    /// <summary>StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => (Password is null ? $"127.0.0.1:{Port}" : $"127.0.0.1:{Port},password={Password}") + (Tls is null ? "" : ",ssl=true");

    /// <summary>The daemon settings that make it trust this server's CA and present the client certificate (none for a plain server).</summary>
    public string[] DaemonTlsArgs => Tls is null ? [] :
    [
        $"--TeleClaude:Redis:Tls:CaFile={Tls.CaCertificate}",
        $"--TeleClaude:Redis:Tls:ClientCertificateFile={Tls.ClientCertificate}",
        $"--TeleClaude:Redis:Tls:ClientKeyFile={Tls.ClientKey}",
    ];

    public static async Task<RedisServer> StartAsync(string? password = null)
    {
        var port = FreePort();
        var directory = Path.Combine(Path.GetTempPath(), "tc-redis-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var server = new RedisServer(Launch(port, directory, password), port, directory, password);
        await server.WaitUntilReadyAsync();
        return server;
    }

    /// <summary>
    /// A server that speaks TLS only (<c>--port 0 --tls-port P</c>) and requires client certificates, with a CA,
    /// a server certificate (127.0.0.1, localhost) and a client certificate made by openssl for this server alone.
    /// </summary>
    public static async Task<RedisServer> StartTlsAsync()
    {
        var port = FreePort();
        var directory = Path.Combine(Path.GetTempPath(), "tc-redis-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var tls = await RedisTlsFiles.CreateAsync(directory);
        var server = new RedisServer(Launch(port, directory, null, tls), port, directory, null, tls);
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
        _process = Launch(Port, _directory, Password, Tls);
        await WaitUntilReadyAsync();
    }

    private static Process Launch(int port, string directory, string? password, RedisTlsFiles? tls = null)
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Redis", "redis-test.conf"));
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(tls is null ? port.ToString(System.Globalization.CultureInfo.InvariantCulture) : "0");
        if (tls is not null)
        {
            foreach (var arg in new[]
            {
                "--tls-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--tls-cert-file", tls.ServerCertificate, "--tls-key-file", tls.ServerKey, "--tls-ca-cert-file", tls.CaCertificate,
                "--tls-auth-clients", "yes",
            })
            {
                start.ArgumentList.Add(arg);
            }
        }

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

    /// <summary>A client connection for assertions and for injecting raw entries (the default user: everything allowed).</summary>
    public Task<ConnectionMultiplexer> ConnectAsync()
    {
        var options = ConfigurationOptions.Parse(Configuration + ",abortConnect=false");
        if (Tls is not null)
        {
            options.TrustIssuer(Tls.CaCertificate);
            options.SetUserPemCertificate(Tls.ClientCertificate, Tls.ClientKey);
        }

        return ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>Creates (or replaces) an ACL user with <paramref name="password"/> and the given rule (ACL SETUSER syntax).</summary>
    public async Task SetUserAsync(string user, string password, string rule)
    {
        await using var admin = await ConnectAsync();
        object[] args = ["SETUSER", user, "reset", $">{password}", .. rule.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        await admin.GetDatabase().ExecuteAsync("ACL", args);
    }

    /// <summary>Turns the default (password-less) user off, as a production server should have it. <see cref="ConnectAsync"/> no longer works after this.</summary>
    public async Task DisableDefaultUserAsync()
    {
        await using var admin = await ConnectAsync();
        await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "default", "off");
    }

    /// <summary>The server's <c>ACL LOG</c>: one line per refusal (reason, command or key, user).</summary>
    public async Task<IReadOnlyList<string>> AclLogAsync()
    {
        await using var admin = await ConnectAsync();
        var entries = (RedisResult[])(await admin.GetDatabase().ExecuteAsync("ACL", "LOG"))!;
        return entries.Select(entry =>
        {
            var fields = (RedisResult[])entry!;
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < fields.Length; i += 2)
            {
                map[(string)fields[i]!] = fields[i + 1].ToString();
            }

            return $"{map.GetValueOrDefault("reason")} {map.GetValueOrDefault("object")} by {map.GetValueOrDefault("username")} (x{map.GetValueOrDefault("count")})";
        }).ToArray();
    }

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
                await using Stream stream = Tls is null ? client.GetStream() : await Tls.AuthenticateAsync(client.GetStream());
                var ping = Password is null ? "PING\r\n" : $"AUTH {Password}\r\nPING\r\n";
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(ping));
                var buffer = new byte[64];
                var read = await stream.ReadAsync(buffer);
                if (read > 0)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException)
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
