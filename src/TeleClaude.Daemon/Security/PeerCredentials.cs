using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// Who is on the other end of a Unix socket, as the kernel reports it (a peer cannot forge this):
/// <c>SO_PEERCRED</c> on Linux, <c>LOCAL_PEERCRED</c> on macOS.
/// </summary>
internal readonly record struct PeerCredentials(uint UserId, int? ProcessId)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int SolLocal = 0;
    private const int LocalPeerCred = 1;
    private const int LocalPeerPid = 2;

    /// <summary>The daemon's effective user id: the only uid whose processes may use its socket.</summary>
    public static uint EffectiveUserId { get; } = GetEffectiveUserId();

    /// <summary>Reads the peer of a connected Unix-domain <paramref name="socket"/>; false when the OS cannot tell.</summary>
    public static bool TryRead(Socket socket, out PeerCredentials peer)
    {
        peer = default;
        if (socket.AddressFamily != AddressFamily.Unix)
        {
            return false;
        }

        try
        {
            if (OperatingSystem.IsLinux())
            {
                // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
                Span<byte> ucred = stackalloc byte[12];
                if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) < 12)
                {
                    return false;
                }

                // An unconnected socket reports pid 0 and the overflow uid: that is nobody.
                peer = new PeerCredentials(MemoryMarshal.Read<uint>(ucred[4..]), MemoryMarshal.Read<int>(ucred));
                return peer.ProcessId > 0;
            }

            if (OperatingSystem.IsMacOS())
            {
                // struct xucred { u_int cr_version; uid_t cr_uid; short cr_ngroups; gid_t cr_groups[16]; }
                Span<byte> xucred = stackalloc byte[76];
                if (socket.GetRawSocketOption(SolLocal, LocalPeerCred, xucred) < 8)
                {
                    return false;
                }

                Span<byte> pid = stackalloc byte[4];
                int? processId = socket.GetRawSocketOption(SolLocal, LocalPeerPid, pid) == 4 ? MemoryMarshal.Read<int>(pid) : null;
                peer = new PeerCredentials(MemoryMarshal.Read<uint>(xucred[4..]), processId);
                return true;
            }
        }
        catch (SocketException)
        {
        }

        return false;
    }

    private static uint GetEffectiveUserId() => geteuid();

    // A plain DllImport: a blittable call needs no generated marshalling (LibraryImport would need unsafe code).
    [DllImport("libc", EntryPoint = "geteuid", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint geteuid();
}
