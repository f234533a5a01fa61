using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Integration;

/// <summary>Start-up, socket handling, configuration errors and persistence of the real daemon.</summary>
[TestFixture]
[CancelAfter(60_000)]
internal sealed class DaemonHostingIntegrationTests
{
    [Test]
    public async Task Socket_IsOwnerOnly_InOwnerOnlyDirectory()
    {
        await using var daemon = await DaemonProcess.StartAsync();

        Assert.That(File.GetUnixFileMode(daemon.SocketPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(daemon.SocketPath)!), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
    }

    [Test]
    public async Task Restart_KeepsSessions_AndRemovesStaleSocket()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        SessionInfo created;
        using (var rest = daemon.Rest())
        {
            created = await rest.CreateSessionAsync(new CreateSessionRequest(daemon.ProjectPath, "Survives restarts", "claude"));
        }

        await daemon.StopAsync();
        // A crashed daemon leaves its socket file behind; the next start must clean it up.
        if (!File.Exists(daemon.SocketPath))
        {
            using var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            stale.Bind(new UnixDomainSocketEndPoint(daemon.SocketPath));
        }

        await daemon.StartAsync();

        using var after = daemon.Rest();
        Assert.That(await after.ListSessionsAsync(), Has.Some.Matches<SessionInfo>(s => s.SessionId == created.SessionId && s.Title == "Survives restarts"));
    }

    [Test]
    public async Task SecondDaemon_OnSameSocket_FailsWithClearMessage()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var args = daemon.Args().Select(a => a == daemon.DatabasePath ? daemon.DatabasePath + "2" : a).ToArray();
        await using var second = TeleClaudeDaemon.Build(args, b => b.Logging.SetMinimumLevel(LogLevel.None));

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync());

        Assert.That(error!.Message, Does.Contain("already listening on " + daemon.SocketPath));
        using var rest = daemon.Rest();
        Assert.That((await rest.HealthAsync()).Status, Is.EqualTo("ok"), "the first daemon keeps serving");
    }

    [Test]
    public void InvalidConfiguration_StopsStart_NamingEverySetting()
    {
        string[] args =
        [
            "--socket", "relative.sock",
            "--computer", "bad name!",
            "--TeleClaude:TcpUrl=http://10.1.2.3:8080",
            "--TeleClaude:Projects:0:Path=/definitely/not/here",
        ];

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => BuildAndStartAsync(args));

        var all = string.Join("\n", error!.Failures);
        Assert.That(all, Does.Contain("TeleClaude:ComputerName 'bad name!'"));
        Assert.That(all, Does.Contain("TeleClaude:SocketPath 'relative.sock' must be an absolute path"));
        Assert.That(all, Does.Contain("TeleClaude:TcpUrl 'http://10.1.2.3:8080' must be a loopback address"));
        Assert.That(all, Does.Contain("'/definitely/not/here' does not exist"));
    }

    [Test]
    public void InvalidCacheTtl_StopsStart_NamingTheSetting()
    {
        var error = Assert.ThrowsAsync<OptionsValidationException>(() => BuildAndStartAsync(["--TeleClaude:Cache:TodosTtl=-00:00:01"]));

        Assert.That(error!.Message, Does.Contain("TeleClaude:Cache:TodosTtl"));
    }

    [Test]
    public async Task Program_InvalidConfiguration_ExitsWith2_AndPrintsEveryProblem()
    {
        var daemonDll = Path.Combine(AppContext.BaseDirectory, "TeleClaude.Daemon.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { daemonDll, "--socket", "relative.sock", "--computer", "no spaces allowed" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.CurrentContext.CancellationToken);
        await process.WaitForExitAsync(TestContext.CurrentContext.CancellationToken);

        Assert.That(process.ExitCode, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.StartWith("teleclaude: invalid configuration:"));
        Assert.That(stderr, Does.Contain("TeleClaude:SocketPath 'relative.sock'").And.Contain("TeleClaude:ComputerName 'no spaces allowed'"));
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace for a configuration mistake");
    }

    private static async Task BuildAndStartAsync(string[] args)
    {
        await using var app = TeleClaudeDaemon.Build(args, b => b.Logging.SetMinimumLevel(LogLevel.None));
        await app.StartAsync();
    }

    [Test]
    public async Task TcpListener_OnLoopback_ServesTheSameApi()
    {
        var port = RedisServer.FreePort();
        await using var daemon = await DaemonProcess.StartAsync("delta", $"--tcp=http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        var health = await http.GetFromJsonAsync<HealthReport>("health", TeleClaudeRestClient.JsonOptions);

        Assert.That(health!.Computer, Is.EqualTo("delta"));
    }
}
