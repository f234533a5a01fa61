using System.Net.Sockets;

namespace Telec.Cli;

/// <summary>The one message telec shows when the daemon's socket does not answer.</summary>
internal static class DaemonUnreachable
{
    public const string StartHint = "Start it with: teleclaude run (installed), or from a checkout: dotnet run --project src/TeleClaude.Daemon (or pass --socket PATH).";

    public static string Message(string socketPath, Exception? cause = null)
    {
        var reason = Reason(cause);
        return $"Cannot reach the TeleClaude daemon at {socketPath}{(reason is null ? "" : $" ({reason})")}.";
    }

    /// <summary>True for the errors that mean "nobody listens on the socket" (as opposed to an answer with an error).</summary>
    public static bool IsUnreachable(Exception ex) =>
        ex is HttpRequestException or SocketException or TimeoutException or TaskCanceledException or IOException;

    private static string? Reason(Exception? cause)
    {
        for (var e = cause; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported => "no socket file",
                    SocketError.ConnectionRefused => "nothing listens on the socket",
                    _ => socket.Message,
                };
            }
        }

        return cause switch
        {
            null => null,
            TaskCanceledException or TimeoutException => "no answer in time",
            _ => cause.Message,
        };
    }
}
