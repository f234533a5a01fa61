using System.Net.Sockets;
using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Tests.Security;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class PeerCredentialsUnitTests
{
    [Test]
    public async Task TryRead_OnAUnixSocketConnection_ReportsThePeerProcessAndItsUser(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tc-peer-{Guid.NewGuid():N}.sock");
        try
        {
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen();
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            var accept = listener.AcceptAsync(cancellationToken);
            await client.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            using var server = await accept;

            var read = PeerCredentials.TryRead(server, out var peer);

            Assert.That(read, Is.True);
            Assert.That(peer.UserId, Is.EqualTo(PeerCredentials.EffectiveUserId));
            Assert.That(peer.ProcessId, Is.EqualTo(Environment.ProcessId));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void TryRead_OnATcpSocket_IsFalse()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        Assert.That(PeerCredentials.TryRead(socket, out _), Is.False);
    }

    [Test]
    public void TryRead_OnAnUnconnectedUnixSocket_IsFalse()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

        Assert.That(PeerCredentials.TryRead(socket, out _), Is.False);
    }

    [Test]
    public void EffectiveUserId_IsThisProcesssUser()
    {
        var uid = File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[2];

        Assert.That(PeerCredentials.EffectiveUserId.ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(uid));
    }

    [TestCase(1000u, 1000u, true)]
    [TestCase(1001u, 1000u, false)]
    [TestCase(0u, 1000u, false)]
    [TestCase(65534u, 0u, false)]
    public void IsAllowed_OnlyTheDaemonsOwnUser(uint peer, uint daemon, bool allowed) =>
        Assert.That(UnixPeerGate.IsAllowed(new PeerCredentials(peer, 1), daemon), Is.EqualTo(allowed));
}
