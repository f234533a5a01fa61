using System.Net.Sockets;

namespace TeleClaude.Client;

/// <summary>HTTP over a Unix domain socket: every connection the handler opens goes to the socket file.</summary>
public static class UnixSocketHttp
{
    /// <summary>The base address to use with a handler from <see cref="CreateHandler"/>.</summary>
    public static Uri BaseAddress { get; } = new("http://localhost/");

    /// <summary>A handler whose connections all go to <paramref name="socketPath"/>.</summary>
    public static SocketsHttpHandler CreateHandler(string socketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        return new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        };
    }
}
