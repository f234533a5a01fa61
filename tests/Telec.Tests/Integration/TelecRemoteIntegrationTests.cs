using System.Net;
using System.Net.Sockets;
using TeleClaude.Contracts;
using Telec.Tests.Infrastructure;
using static Telec.Tests.Infrastructure.TelecScreen;

namespace Telec.Tests.Integration;

/// <summary>
/// Sessions of another computer in the real telec (native build, in tmux): two real daemons, alpha (telec's) and beta,
/// on one real redis-server; beta's sessions run the stand-in agent. Opening such a session goes through the computer's
/// attach command (telec.json); its live screen and its answers go through alpha and Redis like a local session's.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TelecRemoteIntegrationTests
{
    private RedisServer _redis = null!;
    private DaemonProcess _alpha = null!;
    private DaemonProcess _beta = null!;
    private TmuxTerminal? _terminal;

    [OneTimeSetUp]
    public async Task OneTimeSetUp()
    {
        _redis = await RedisServer.StartAsync();
        _alpha = await DaemonProcess.StartWithRedisAsync(_redis, "alpha");
        _beta = await DaemonProcess.StartWithRedisAsync(_redis, "beta");
        await Eventually.ThatAsync(
            async () =>
            {
                using var rest = _alpha.Rest();
                return (await rest.ListComputersAsync()).Any(c => c.Name == "beta" && c.Status == ComputerStatus.Online);
            },
            "alpha lists beta online",
            TimeSpan.FromSeconds(30));
    }

    [OneTimeTearDown]
    public async Task OneTimeTearDown()
    {
        await _alpha.DisposeAsync();
        await _beta.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_terminal is not null)
        {
            await _terminal.DisposeAsync();
            _terminal = null;
        }
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task RemoteSession_PreviewFollowsItsLiveScreen_AndYAnswersIt_OverRedis()
    {
        var session = await _beta.CreateSessionAsync("Remote " + Guid.NewGuid().ToString("N")[..6]);
        var terminal = await StartAsync();
        await SelectAsync(terminal, session);

        // alpha watches beta's session over Redis (watch_output lease, screen stream): the pane is beta's live screen.
        var screen = await terminal.WaitForAsync(
            s => PreviewTitle(s).Contains("Screen · " + session.Title, StringComparison.Ordinal) && Preview(s).Contains("test agent ready", StringComparison.Ordinal),
            "the preview shows beta's live screen",
            TimeSpan.FromSeconds(30));
        Assert.That(Preview(screen), Does.Not.Contain("no live screen"));
        using var rest = _beta.Rest();
        await rest.SendInputAsync(session.SessionId, "typed on beta");
        await terminal.WaitForAsync(s => Preview(s).Contains("agent got: typed on beta", StringComparison.Ordinal), "the preview follows beta's screen", TimeSpan.FromSeconds(20));

        // Waiting on beta (the stand-in's y/n prompt), seen through Redis; y goes through alpha to beta's answer route.
        await rest.SendInputAsync(session.SessionId, "ask");
        await terminal.WaitForAsync(
            s => s.Contains("1 needs you", StringComparison.Ordinal) && KeysLine(s).Contains("answer: y Yes · n No", StringComparison.Ordinal),
            "alpha's telec counts beta's waiting session and lists its answers",
            TimeSpan.FromSeconds(20));
        await terminal.SendKeysAsync("y");

        await terminal.WaitForTextAsync($"answered \"Yes\" to \"{session.Title}\"");
        await Eventually.ThatAsync(
            async () => (await rest.GetSessionAsync(session.SessionId)).LastOutput?.Contains("answered: y", StringComparison.Ordinal) == true,
            "the agent on beta read the answer y");
        await terminal.WaitForAsync(s => Preview(s).Contains("answered: y", StringComparison.Ordinal), "the preview shows the agent going on", TimeSpan.FromSeconds(20));
        Assert.That(await terminal.IsRunningAsync(), Is.True);
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task SessionOfAnOfflineComputer_PreviewSaysWhyAndShowsItsLastOutput_ThenGoesLiveWhenTheComputerIsBack()
    {
        var gamma = await DaemonProcess.StartWithRedisAsync(_redis, "gamma");
        // A client subscribed on alpha, so gamma sends alpha its session events (last output included).
        var (hub, _) = await _alpha.ConnectAsync();
        try
        {
            await hub.Subscribe(Views.Sessions);
            var session = await gamma.CreateSessionAsync("Offline " + Guid.NewGuid().ToString("N")[..6]);
            using (var rest = _alpha.Rest())
            {
                await Eventually.ThatAsync(
                    async () => (await rest.ListSessionsAsync()).Any(s => s.SessionId == session.SessionId && (s.LastOutput ?? "").Contains("test agent ready", StringComparison.Ordinal)),
                    "alpha knows gamma's session and its last output",
                    TimeSpan.FromSeconds(30));
                await gamma.StopAsync();
                await Eventually.ThatAsync(
                    async () => (await rest.ListComputersAsync()).Any(c => c.Name == "gamma" && c.Status == ComputerStatus.Offline),
                    "alpha sees gamma offline",
                    TimeSpan.FromSeconds(30));
            }

            var terminal = await StartAsync();
            await SelectAsync(terminal, session);
            var screen = await terminal.WaitForAsync(
                s => Preview(s).Contains("no live screen:", StringComparison.Ordinal) && Preview(s).Contains("test agent ready", StringComparison.Ordinal),
                "the preview says why there is no live screen and shows the last output gamma reported");
            Assert.That(Preview(screen), Does.Contain("runs on gamma").And.Contain("offline"), "the daemon's own reason, wrapped in the pane:\n" + Preview(screen));

            // gamma comes back: the push that says so makes telec ask for the watch again, and the pane goes live.
            await gamma.StartAsync();
            await terminal.WaitForAsync(
                s => PreviewTitle(s).Contains("Screen · " + session.Title, StringComparison.Ordinal) && !Preview(s).Contains("no live screen", StringComparison.Ordinal),
                "the preview is gamma's live screen again",
                TimeSpan.FromSeconds(45));
        }
        finally
        {
            await hub.DisposeAsync();
            await gamma.DisposeAsync();
        }
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task Attach_ToAnUnreachableHost_ComesBackWithTheReasonInTheFooter()
    {
        var port = ClosedPort();
        var session = await _beta.CreateSessionAsync("Behind a closed port");
        var settings = $$"""
            { "attach": { "computers": { "beta": "ssh -p {{port}} -o BatchMode=yes -o ConnectTimeout=5 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null 127.0.0.1 tmux -L {socket} attach -t {tmux_session}" } } }
            """;
        var terminal = await StartAsync(settings);
        await SelectAsync(terminal, session);

        await terminal.SendKeysAsync("Enter");

        var back = await terminal.WaitForAsync(
            s => StatusLine(s).Contains("\"Behind a closed port\": ssh ended with status 255", StringComparison.Ordinal),
            "telec is back and says how ssh failed",
            TimeSpan.FromSeconds(30));
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(StatusLine(back), Does.Contain($"port {port}: Connection refused"), "ssh's own reason");
            Assert.That(back, Does.Contain("telec · TeleClaude").And.Contain("beta"), "the UI is back with the tree");
            Assert.That(await terminal.IsRunningAsync(), Is.True);
        });
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task Attach_ToAnUnreachableHost_InsideTmux_KeepsTheWindowOpenWithTheMessage()
    {
        var port = ClosedPort();
        var session = await _beta.CreateSessionAsync("Closed port in a window");
        var settings = $$"""
            { "attach": { "computers": { "beta": "ssh -p {{port}} -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null 127.0.0.1 true" } } }
            """;
        var terminal = await StartAsync(settings, insideTmux: true);
        await SelectAsync(terminal, session);

        await terminal.SendKeysAsync("Enter");

        await terminal.WaitForTextAsync("opened \"Closed port in a window\" in a tmux window");
        var windows = await terminal.TmuxOutputAsync("list-windows", "-t", "telec", "-F", "#{window_index} #{window_name}");
        var index = windows.Split('\n').Single(w => w.Contains(" tc:Closed port", StringComparison.Ordinal)).Split(' ')[0];
        var window = "";
        await Eventually.ThatAsync(
            async () => (window = await terminal.TmuxOutputAsync("capture-pane", "-p", "-t", "telec:" + index)).Contains("[telec] ssh exited with status 255. Press Enter to close.", StringComparison.Ordinal),
            "the window stays open with ssh's status");
        Assert.That(window, Does.Contain("Connection refused"), "ssh's own message stays readable");
        Assert.That(await terminal.IsRunningAsync(), Is.True);
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task Attach_ToAComputerWithoutAnAttachCommand_SaysWhatToSet()
    {
        var session = await _beta.CreateSessionAsync("No way in");
        var terminal = await StartAsync("""{ "attach": { "computers": { "beta": "" } } }""");
        await SelectAsync(terminal, session);

        await terminal.SendKeysAsync("Enter");

        var screen = await terminal.WaitForTextAsync("No attach command for computer beta: set attach.computers.beta in ");
        Assert.That(StatusLine(screen), Does.Contain("telec.json"));
        Assert.That(await terminal.IsRunningAsync(), Is.True);
    }

    private async Task<TmuxTerminal> StartAsync(string? settings = null, bool insideTmux = false)
    {
        _terminal = await TmuxTerminal.StartTelecAsync(_alpha.SocketPath, insideTmux, settings);
        await _terminal.WaitForAsync(
            s => s.Contains("● connected", StringComparison.Ordinal) && s.Contains("beta", StringComparison.Ordinal),
            "telec is connected and lists beta");
        return _terminal;
    }

    /// <summary>Filters the tree down to the session (titles are unique per test) and selects it.</summary>
    private static async Task SelectAsync(TmuxTerminal terminal, SessionInfo session)
    {
        await terminal.WaitForTextAsync(session.Title!, TimeSpan.FromSeconds(20));
        await terminal.SendKeysAsync("/");
        await terminal.SendKeysAsync("-l", session.Title!);
        await terminal.SendKeysAsync("Enter");
        await terminal.WaitForTextAsync("filter: " + session.Title);

        // Rows: beta, its project, the session.
        await terminal.SendKeysAsync("Down");
        await terminal.SendKeysAsync("Down");
        await terminal.WaitForTextAsync("· " + session.Title);
    }

    /// <summary>A loopback port nothing listens on: bound once to get a free number, then closed.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
