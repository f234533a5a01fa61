using TeleClaude.Contracts;
using Telec.Tests.Infrastructure;
using static Telec.Tests.Infrastructure.TelecScreen;

namespace Telec.Tests.Integration;

/// <summary>
/// What a user does with the real telec (native build, in tmux) against a real daemon whose sessions run the stand-in
/// agent (it echoes every line): add a project, start a session in it, message it, open its terminal and come back,
/// filter, and the bad inputs that must end in a clear footer line with telec still running.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TelecActionsIntegrationTests : LocalDaemonTelecTests
{
    [Test]
    [CancelAfter(90_000)]
    public async Task AddProjectKey_AddsTheCurrentDirectory_AndNewSessionStartsInIt()
    {
        var terminal = await StartAsync();
        var directory = terminal.WorkingDirectory;
        var name = Path.GetFileName(directory);

        await terminal.SendKeysAsync("2");
        await terminal.WaitForTextAsync("[2 Preparation]");
        await terminal.SendKeysAsync("a");
        await terminal.WaitForAsync(s => s.Contains("Add a project on alpha", StringComparison.Ordinal) && s.Contains(directory, StringComparison.Ordinal), "the dialog proposes the current directory");
        await terminal.SendKeysAsync("Enter");

        await terminal.WaitForTextAsync($"added project {directory} on alpha");
        await terminal.WaitForAsync(s => LineWith(s, directory).Contains("(added)", StringComparison.Ordinal), "the preparation view lists the added project");

        // Narrow the tree to the new project, select it, and start a session there with n.
        await terminal.SendKeysAsync("/");
        await terminal.SendKeysAsync("-l", name);
        await terminal.SendKeysAsync("Enter");
        await terminal.WaitForAsync(s => s.Contains($"filter: {name}", StringComparison.Ordinal) && !s.Contains("cache-push", StringComparison.Ordinal), "the filter hides the other project");
        await terminal.SendKeysAsync("Down");
        await terminal.SendKeysAsync("n");
        await terminal.WaitForTextAsync($"New session in {name}");
        await terminal.SendKeysAsync("-l", "In the added project");
        await terminal.SendKeysAsync("Enter");

        await terminal.WaitForTextAsync("created \"In the added project\"");
        using var rest = Daemon.Rest();
        var sessions = await rest.ListSessionsAsync();
        Assert.That(sessions.Select(s => (s.Title, s.ProjectPath)), Is.EquivalentTo(new[] { ("In the added project", directory) }));
        Assert.That((await rest.ListProjectsAsync()).Single(p => p.Path == directory).Source, Is.EqualTo(ProjectSource.Added));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task AddProjectKey_WithPathThatDoesNotExist_ShowsWhyInTheFooter()
    {
        var terminal = await StartAsync();

        await terminal.SendKeysAsync("a");
        await terminal.WaitForTextAsync("Add a project on alpha");
        await terminal.SendKeysAsync("End");
        await terminal.SendKeysAsync(Enumerable.Repeat("BSpace", terminal.WorkingDirectory.Length + 5).ToArray());
        await terminal.SendKeysAsync("-l", "/no/such/dir");
        await terminal.SendKeysAsync("Enter");

        await terminal.WaitForTextAsync("failed: '/no/such/dir' does not exist on alpha");
        Assert.That(await terminal.IsRunningAsync(), Is.True);
        using var rest = Daemon.Rest();
        Assert.That((await rest.ListProjectsAsync()).Select(p => p.Path), Is.EqualTo(new[] { Daemon.ProjectPath }));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task MessageKey_DeliversTheReply_AndTheAgentEchoesIt()
    {
        var session = await Daemon.CreateSessionAsync("Echo session");
        var terminal = await StartAsync();
        await TelecSteps.SelectOnlySessionAsync(terminal, session);

        await terminal.SendKeysAsync("m");
        await terminal.WaitForTextAsync("Message to Echo session on alpha");
        await terminal.SendKeysAsync("-l", "ping 42");
        await terminal.SendKeysAsync("Enter");

        await terminal.WaitForTextAsync("sent to \"Echo session\"");
        await terminal.WaitForTextAsync("agent got: ping 42");
        using var rest = Daemon.Rest();
        Assert.That((await rest.GetSessionAsync(session.SessionId)).LastInput, Is.EqualTo("ping 42"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task MessageKey_ToASessionThatEnded_ShowsWhyInTheFooter()
    {
        var session = await Daemon.CreateSessionAsync("Short-lived");
        var terminal = await StartAsync();
        await TelecSteps.SelectOnlySessionAsync(terminal, session);
        await terminal.SendKeysAsync("m");
        await terminal.WaitForTextAsync("Message to Short-lived");

        using (var rest = Daemon.Rest())
        {
            await rest.EndSessionAsync(session.SessionId);
        }

        await terminal.SendKeysAsync("-l", "too late");
        await terminal.SendKeysAsync("Enter");

        await terminal.WaitForTextAsync($"failed: Session '{session.SessionId}' has ended");
        Assert.That(await terminal.IsRunningAsync(), Is.True);
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task EnterOnSession_AttachesInTheForeground_AndComesBackAfterDetachWithCurrentState()
    {
        var session = await Daemon.CreateSessionAsync("Attach me");
        var terminal = await StartAsync();
        await TelecSteps.SelectOnlySessionAsync(terminal, session);

        await terminal.SendKeysAsync("Enter");
        await terminal.WaitForAsync(
            s => s.Contains("test agent ready", StringComparison.Ordinal) && !s.Contains("telec · TeleClaude", StringComparison.Ordinal),
            "the session's own terminal fills the screen");

        // While the user is away, the fleet moves on.
        var later = await Daemon.CreateSessionAsync("Started while attached");
        await terminal.SendKeysAsync("C-b", "d");

        var screen = await terminal.WaitForAsync(
            s => s.Contains("back from \"Attach me\"", StringComparison.Ordinal) && s.Contains(later.Title!, StringComparison.Ordinal),
            "telec is back, with the session started meanwhile",
            TimeSpan.FromSeconds(20));
        Assert.That(screen, Does.Contain("2 sessions"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task EnterOnSession_InsideTmux_OpensItInANewWindow()
    {
        var session = await Daemon.CreateSessionAsync("Window me");
        var terminal = await StartAsync(insideTmux: true);
        await TelecSteps.SelectOnlySessionAsync(terminal, session);

        await terminal.SendKeysAsync("Enter");

        await terminal.WaitForTextAsync("opened \"Window me\" in a tmux window");
        await Eventually.ThatAsync(
            async () => (await terminal.TmuxOutputAsync("list-windows", "-a", "-F", "#{window_name}")).Contains("tc:Window me", StringComparison.Ordinal),
            "the user's tmux has a window attached to the session");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task SlashFilter_ShowsOnlyMatchingSessions_AndEscClearsIt()
    {
        await Daemon.CreateSessionAsync("Refactor parser");
        await Daemon.CreateSessionAsync("Write release notes", agent: "codex");
        var terminal = await StartAsync();
        await terminal.WaitForAsync(s => s.Contains("Refactor parser", StringComparison.Ordinal) && s.Contains("Write release notes", StringComparison.Ordinal), "both sessions show");

        await terminal.SendKeysAsync("/");
        await terminal.SendKeysAsync("-l", "codex");
        var filtered = await terminal.WaitForAsync(s => !s.Contains("Refactor parser", StringComparison.Ordinal), "the filter hides the claude session");
        Assert.That(filtered, Does.Contain("Write release notes"));
        await terminal.SendKeysAsync("Enter");
        await terminal.WaitForTextAsync("filter: codex");

        await terminal.SendKeysAsync("Escape");
        await terminal.WaitForAsync(s => s.Contains("Refactor parser", StringComparison.Ordinal) && !s.Contains("filter: codex", StringComparison.Ordinal), "Esc clears the filter");
    }
}
