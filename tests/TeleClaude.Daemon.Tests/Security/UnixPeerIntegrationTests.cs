using System.Diagnostics;
using TeleClaude.Daemon.Security;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Security;

/// <summary>
/// The Unix socket's second wall: even when its first wall (0600 socket in a 0700 directory) is opened, a
/// process of another user is refused by the peer-uid check before any HTTP is read. The client runs as
/// nobody through setpriv, which needs root (CI runs as root); elsewhere the test is inconclusive and
/// <see cref="PeerCredentialsUnitTests"/> still covers the check.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
internal sealed class UnixPeerIntegrationTests
{
    private const int Nobody = 65534;

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, program)));

    [Test]
    public async Task PeerOfAnotherUser_IsRefused_EvenWithTheSocketOpenToAll_AndTheOwnerIsServed(CancellationToken cancellationToken)
    {
        Assume.That(PeerCredentials.EffectiveUserId, Is.Zero, "running a client as another user needs root");
        Assume.That(OnPath("setpriv") && OnPath("curl"), "needs setpriv (util-linux) and curl");
        await using var daemon = await DaemonProcess.StartAsync("alpha");

        // Open the first wall, as a wrong umask or a careless chmod would: only the uid check is left.
        File.SetUnixFileMode(daemon.Directory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.GetDirectoryName(daemon.SocketPath)!, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(daemon.SocketPath, (UnixFileMode)0b110_110_110);
        string[] curl = ["-sS", "--max-time", "20", "--unix-socket", daemon.SocketPath, "http://localhost/health"];

        var stranger = await RunAsync("setpriv", [$"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "curl", .. curl], cancellationToken);
        var owner = await RunAsync("curl", curl, cancellationToken);

        Assert.That(owner.ExitCode, Is.Zero, owner.Stderr);
        Assert.That(owner.Stdout, Does.Contain("\"status\":\"ok\""), "the daemon's own user is served: the refusal below is the uid check, not a broken socket");
        Assert.That(stranger.ExitCode, Is.Not.Zero, "curl as nobody got no HTTP answer");
        Assert.That(stranger.Stdout, Is.Empty);
        Assert.That(stranger.Stderr, Does.Not.Contain("Permission denied"), "the socket was reachable: the connection was refused by the daemon, not by the file system");
        var refusals = daemon.Logs.WithEventId(713);
        Assert.That(refusals, Has.Count.EqualTo(1), string.Join("\n", daemon.Logs.Entries));
        Assert.That(refusals[0].Message, Does.Contain($"uid {Nobody}").And.Contain("only uid 0"));
    }
}
