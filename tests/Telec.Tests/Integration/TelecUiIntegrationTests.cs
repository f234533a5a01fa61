using System.Diagnostics;
using Telec.Tests.Infrastructure;
using static Telec.Tests.Infrastructure.TelecScreen;

namespace Telec.Tests.Integration;

/// <summary>The real telec binary in tmux against a real in-process daemon: what a user sees and does.</summary>
[TestFixture]
[NonParallelizable]
public sealed class TelecUiIntegrationTests
{
    private DaemonProcess _daemon = null!;
    private TmuxTerminal _terminal = null!;

    [SetUp]
    public async Task SetUp()
    {
        _daemon = await DaemonProcess.StartAsync();
        _terminal = await TmuxTerminal.StartTelecAsync(_daemon.SocketPath);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _terminal.DisposeAsync();
        await _daemon.DisposeAsync();
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task SessionsView_ShowsSessionCreatedThroughRest_WithinASecond()
    {
        await WaitUntilConnectedAsync();

        var title = "Fresh " + Guid.NewGuid().ToString("N")[..8];
        await _daemon.CreateSessionAsync(title, message: "write the tests");
        var clock = Stopwatch.StartNew();
        var screen = await _terminal.WaitForTextAsync(title);
        clock.Stop();

        TestContext.Out.WriteLine($"push to screen: {clock.ElapsedMilliseconds} ms");
        Assert.Multiple(() =>
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "the session appears within a second of its creation");
            Assert.That(screen, Does.Contain("in: write the tests"), "the session line previews the last input");
            Assert.That(screen, Does.Contain("claude"));
            Assert.That(screen, Does.Contain("1 session"));
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task RefreshKey_InvokesHubRefresh_OnTheDaemon()
    {
        await WaitUntilConnectedAsync();
        var before = await _daemon.CounterAsync("refreshes");

        await _terminal.SendKeysAsync("r");

        await Eventually.ThatAsync(async () => await _daemon.CounterAsync("refreshes") > before, "the daemon counts a refresh");
        await _terminal.WaitForTextAsync("refreshed sessions");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task TwoKey_ShowsPreparationView_WithRoadmapTodos()
    {
        await WaitUntilConnectedAsync();

        await _terminal.SendKeysAsync("2");

        var screen = await _terminal.WaitForAsync(
            s => s.Contains("[2 Preparation]", StringComparison.Ordinal) && s.Contains("mcp-server", StringComparison.Ordinal),
            "the preparation view shows the roadmap");
        Assert.Multiple(() =>
        {
            Assert.That(LineWith(screen, "cache-push"), Does.Contain("in progress").And.Contain("req:✓").And.Contain("plan:·"));
            Assert.That(LineWith(screen, "telec-tui"), Does.Contain("ready"));
            Assert.That(LineWith(screen, "mcp-server"), Does.Contain("pending").And.Contain("AI-to-AI."));
            Assert.That(screen, Does.Contain("3 todos"));
        });

        await _terminal.SendKeysAsync("1");
        await _terminal.WaitForTextAsync("[1 Sessions]");
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task DaemonRestart_ShowsReconnecting_ThenTheFullStateAgain()
    {
        var session = await _daemon.CreateSessionAsync("Survivor session");
        await WaitUntilConnectedAsync();
        await _terminal.WaitForTextAsync(session.Title!);

        await _daemon.StopAsync();
        await _terminal.WaitForTextAsync("reconnecting");
        await _daemon.StartAsync();

        // telec probes every 2 s while SignalR waits; on a loaded machine allow a few rounds.
        var screen = await _terminal.WaitForAsync(
            s => s.Contains("● connected", StringComparison.Ordinal) && s.Contains(session.Title!, StringComparison.Ordinal),
            "telec is connected again and shows the session",
            TimeSpan.FromSeconds(20));
        Assert.That(screen, Does.Contain("1 computer · 1 session"));

        // The restarted daemon counts from zero: both views were subscribed again and their full states sent.
        Assert.That(await _daemon.CounterAsync("full_states"), Is.GreaterThanOrEqualTo(2));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task QuitKey_ExitsCleanly()
    {
        await WaitUntilConnectedAsync();

        await _terminal.SendKeysAsync("q");

        await Eventually.ThatAsync(async () => !await _terminal.IsRunningAsync(), "the tmux session ends with telec");
        Assert.That((await File.ReadAllTextAsync(_terminal.ExitCodeFile)).Trim(), Is.EqualTo("0"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task NewSessionKey_CreatesSessionOnSelectedProject_WithItsFirstMessage()
    {
        await WaitUntilConnectedAsync();

        // Row 1 is the computer, row 2 its project.
        await _terminal.SendKeysAsync("Down");
        await _terminal.SendKeysAsync("n");
        await _terminal.WaitForTextAsync("New session in project");
        await _terminal.SendKeysAsync("-l", "Typed in the dialog");
        await _terminal.SendKeysAsync("Tab");
        await _terminal.SendKeysAsync("Tab");
        await _terminal.SendKeysAsync("-l", "first task");
        await _terminal.SendKeysAsync("Enter");

        await _terminal.WaitForTextAsync("created \"Typed in the dialog\"");
        using var rest = _daemon.Rest();
        var sessions = await rest.ListSessionsAsync();
        Assert.That(sessions.Select(s => (s.Title, s.Agent, s.ProjectPath, s.LastInput)), Is.EquivalentTo(new[] { ("Typed in the dialog", "claude", _daemon.ProjectPath, "first task") }));
        await Eventually.ThatAsync(
            async () => ((await rest.GetSessionAsync(sessions[0].SessionId)).LastOutput ?? "").Contains("agent got: first task", StringComparison.Ordinal),
            "the agent got the first message");
    }

    private Task<string> WaitUntilConnectedAsync() =>
        _terminal.WaitForAsync(
            s => s.Contains("● connected", StringComparison.Ordinal) && s.Contains("alpha (local)", StringComparison.Ordinal),
            "telec is connected and shows the local computer");
}
