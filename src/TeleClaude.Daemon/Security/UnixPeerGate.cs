using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// The second wall of the Unix socket (the first is its 0600 mode in a 0700 directory): a Kestrel connection
/// middleware that asks the kernel who connected and closes the connection, before any HTTP is read, when the
/// peer runs as another user than the daemon. Accepted connections carry a <see cref="UnixPeerFeature"/>,
/// which the authentication handler turns into the local user.
/// </summary>
internal sealed partial class UnixPeerGate(ILogger<UnixPeerGate> logger)
{
    private readonly uint _self = PeerCredentials.EffectiveUserId;

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is null || !PeerCredentials.TryRead(socket, out var peer))
        {
            LogPeerUnknown(connection.ConnectionId);
            return;
        }

        if (!IsAllowed(peer, _self))
        {
            LogPeerRefused(peer.UserId, peer.ProcessId, _self);
            return;
        }

        connection.Features.Set(new UnixPeerFeature(peer));
        await next(connection);
    }

    /// <summary>Only processes of the daemon's own (effective) user may talk to it; root is no exception.</summary>
    internal static bool IsAllowed(PeerCredentials peer, uint daemonUserId) => peer.UserId == daemonUserId;

    [LoggerMessage(EventId = 713, Level = LogLevel.Warning, Message = "Refused a Unix-socket connection from uid {PeerUid} (pid {PeerPid}): only uid {DaemonUid}, the daemon's own user, may connect.")]
    private partial void LogPeerRefused(uint peerUid, int? peerPid, uint daemonUid);

    [LoggerMessage(EventId = 714, Level = LogLevel.Warning, Message = "Refused Unix-socket connection {ConnectionId}: the peer's credentials could not be read on this system.")]
    private partial void LogPeerUnknown(string connectionId);
}

/// <summary>Set on a Unix-socket connection whose peer passed <see cref="UnixPeerGate"/>.</summary>
internal sealed record UnixPeerFeature(PeerCredentials Peer);

internal static class UnixPeerGateExtensions
{
    /// <summary>Runs <see cref="UnixPeerGate"/> on every connection of this (Unix-socket) listener.</summary>
    public static ListenOptions UsePeerCredentialCheck(this ListenOptions listen)
    {
        UnixPeerGate? gate = null;
        listen.Use(next => connection =>
        {
            // Resolved on first use: the application's services are not built yet when listeners are configured.
            gate ??= listen.ApplicationServices.GetRequiredService<UnixPeerGate>();
            return gate.OnConnectionAsync(connection, next);
        });
        return listen;
    }
}
