using System.Net.Sockets;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Hosting;

/// <summary>
/// Prepares the socket path before Kestrel binds (private directory; a stale file left by a crash is
/// removed, a live daemon on it is an error) and restricts the socket to its owner once bound.
/// </summary>
internal sealed partial class UnixSocketFile(
    IOptions<DaemonOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<UnixSocketFile> logger) : IHostedService
{
    private readonly string _path = options.Value.SocketPath;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        DaemonPaths.EnsurePrivateDirectory(Path.GetDirectoryName(_path)!);
        if (File.Exists(_path))
        {
            if (await IsListeningAsync(_path, cancellationToken))
            {
                throw new InvalidOperationException(
                    $"Another daemon is already listening on {_path}. Stop it first, or start this one with --socket <other path>.");
            }

            File.Delete(_path);
            LogStaleSocketRemoved(_path);
        }

        lifetime.ApplicationStarted.Register(() =>
        {
            File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            LogListening(_path);
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<bool> IsListeningAsync(string path, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Removed stale socket {Path} left by an earlier daemon.")]
    private partial void LogStaleSocketRemoved(string path);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Listening on unix:{Path} (REST and hub).")]
    private partial void LogListening(string path);
}
