using TeleClaude.Contracts;
using TeleClaude.Daemon.Tests.Infrastructure;
using static TeleClaude.Daemon.Tests.Infrastructure.AgentPushes;

namespace TeleClaude.Daemon.Tests.Agents;

/// <summary>
/// The real Codex CLI in a real tmux session of the real daemon, offline against the scripted Responses API server:
/// input makes the session active, Codex's approval prompt for a command (read from the screen) makes it waiting with
/// its choices, the answer route approves it and the command runs, and Codex's notify program (our hook, given with
/// <c>-c notify=[...]</c>) makes it idle with the last message. A first message given at start and a message of
/// several lines reach Codex as one prompt each.
/// </summary>
[TestFixture]
[CancelAfter(240_000)]
internal sealed class CodexIntegrationTests
{
    private const string Agent = "realcodex";
    private const string LastMessage = "All done: the file is there.";

    [Test]
    public async Task CodexSession_WaitsOnApproval_AnswerRunsCommand_ThenNotifyMakesItIdleWithLastMessage(CancellationToken cancellationToken)
    {
        await using var model = await ScriptedResponsesServer.StartAsync(
            ScriptedTurn.Bash("touch made-by-codex.txt", "Create the marker file?"),
            ScriptedTurn.Say(LastMessage));
        await using var daemon = await StartDaemonAsync("codexbox", model);
        using var rest = daemon.Rest();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), cancellationToken: cancellationToken);

        var created = await daemon.CreateSessionAsync("Real Codex", agent: Agent);
        await StartedAsync(pushes, created.SessionId, cancellationToken);

        var sinceInput = pushes.Seen.Count;
        await rest.SendInputAsync(created.SessionId, "please create the marker file", cancellationToken);
        var active = await NextSessionAsync(pushes, created.SessionId, s => s.Status == SessionStatus.Active, cancellationToken);
        Assert.That(active.LastInput, Is.EqualTo("please create the marker file"));

        var waiting = await NextSessionAsync(pushes, created.SessionId, s => s is { Status: SessionStatus.Waiting, Waiting.Choices.Count: > 0 }, cancellationToken);
        Assert.That(waiting.Waiting!.Text, Does.StartWith("Would you like to run the following command?\n").And.Contain("Reason: Create the marker file?").And.Contain("$ touch made-by-codex.txt"));
        var choices = waiting.Waiting.Choices;
        Assert.That(choices[0], Is.EqualTo(new AnswerChoice("1", "Yes, proceed (y)", AnswerMeanings.Yes)), "Codex's prompt, read from the screen: " + string.Join(" | ", choices));
        Assert.That(choices, Has.Some.Matches<AnswerChoice>(c => c.Meaning == AnswerMeanings.No));
        Assert.That(File.Exists(Path.Combine(daemon.ProjectPath, "made-by-codex.txt")), Is.False, "nothing runs before the answer");
        // Codex calls notify for its hidden title thread while the approval waits: that is no end of the session's turn.
        await Eventually.ThatAsync(async () => await daemon.CounterAsync("hook_events") >= 1, "Codex's notify for its title thread reached the daemon", TimeSpan.FromSeconds(60));
        Assert.That(model.TitlesServed, Is.EqualTo(1));
        Assert.That((await rest.GetSessionAsync(created.SessionId, cancellationToken)).Status, Is.EqualTo(SessionStatus.Waiting));
        Assert.That(pushes.Seen.Skip(sinceInput).Select(p => p.Payload).OfType<AgentEventInfo>().Where(e => e.Session.SessionId == created.SessionId), Is.Empty);

        var answered = await rest.AnswerAsync(created.SessionId, "1", cancellationToken);
        Assert.That(answered.Status, Is.EqualTo(SessionStatus.Active));

        var stopped = await UntilStoppedAsync(pushes, created.SessionId, () => rest.AnswerAsync(created.SessionId, "1", cancellationToken), cancellationToken);
        Assert.That(stopped.Session.Status, Is.EqualTo(SessionStatus.Idle));
        Assert.That(stopped.Session.LastMessage, Is.EqualTo(LastMessage), "the last message came from Codex's notify");
        Assert.That(stopped.Summary, Is.EqualTo(LastMessage));
        Assert.That(File.Exists(Path.Combine(daemon.ProjectPath, "made-by-codex.txt")), Is.True, "the approved command ran");
        Assert.That(model.ToolResults, Has.Count.EqualTo(1), "Codex sent the command's output back");
        Assert.That(await daemon.CounterAsync("hook_events"), Is.GreaterThanOrEqualTo(2), "notify called for the session's turn and for the title thread");
        Assert.That(await daemon.CounterAsync("hook_rejected_secret"), Is.Zero);
        Assert.That(await daemon.CounterAsync("hook_rejected_malformed"), Is.Zero);

        TestContext.Out.WriteLine("pushes: " + string.Join(", ", pushes.Seen.Skip(sinceInput).Select(p => p.Payload is SessionInfo s ? $"{p.Method}:{s.Status}" : p.Method)));
        await rest.SendInputAsync(created.SessionId, "/quit", cancellationToken);
        var ended = await WithinAsync(pushes, () => pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionTerminated), s => s.SessionId == created.SessionId, cancellationToken));
        Assert.That(ended.Status, Is.EqualTo(SessionStatus.Terminated));
    }

    [Test]
    public async Task FirstMessage_GivenAtStart_ReachesCodex(CancellationToken cancellationToken)
    {
        await using var model = await ScriptedResponsesServer.StartAsync(ScriptedTurn.Say("Started on it."));
        await using var daemon = await StartDaemonAsync("codexfirst", model);
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);

        var created = await daemon.CreateSessionAsync("Told at start", message: "begin with the tests", agent: Agent);

        var stopped = await WithinAsync(pushes, () => pushes.NextAsync<AgentEventInfo>(
            nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == created.SessionId && e.Session.LastMessage is not null, cancellationToken));
        Assert.That(stopped.Session.LastInput, Is.EqualTo("begin with the tests"));
        Assert.That(stopped.Session.LastMessage, Is.EqualTo("Started on it."));
        Assert.That(model.Prompts, Is.EqualTo(new[] { "begin with the tests" }));
        Assert.That(model.TurnsServed, Is.EqualTo(1));
    }

    [Test]
    public async Task MultiLineMessage_ReachesCodexAsOnePrompt_AndOneTurn(CancellationToken cancellationToken)
    {
        const string text = "first line of the message\nsecond line of the message";
        await using var model = await ScriptedResponsesServer.StartAsync(ScriptedTurn.Say("Read both lines."));
        await using var daemon = await StartDaemonAsync("codexlines", model);
        using var rest = daemon.Rest();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var created = await daemon.CreateSessionAsync("Two lines", agent: Agent);
        await StartedAsync(pushes, created.SessionId, cancellationToken);

        await rest.SendInputAsync(created.SessionId, text, cancellationToken);

        var stopped = await WithinAsync(pushes, () => pushes.NextAsync<AgentEventInfo>(
            nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == created.SessionId && e.Session.LastMessage is not null, cancellationToken));
        Assert.That(stopped.Session.LastMessage, Is.EqualTo("Read both lines."));
        Assert.That(model.Prompts, Is.EqualTo(new[] { text }), "both lines, as one prompt");
        Assert.That(model.TurnsServed, Is.EqualTo(1), "one turn, not one per line");
    }

    /// <summary>Codex has no start hook: its session goes idle once the start screen is drawn and quiet (an AgentEvent of the screen).</summary>
    private static Task<AgentEventInfo> StartedAsync(RecordingClient pushes, string sessionId, CancellationToken cancellationToken) =>
        WithinAsync(pushes, () => pushes.NextAsync<AgentEventInfo>(nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == sessionId, cancellationToken));

    /// <summary>A daemon whose agent <see cref="Agent"/> is the real Codex CLI talking to <paramref name="model"/>, with its own HOME.</summary>
    private static async Task<DaemonProcess> StartDaemonAsync(string computer, ScriptedResponsesServer model)
    {
        var home = Path.Combine(Directory.CreateTempSubdirectory("tc-codex-").FullName, "home");
        var daemon = await DaemonProcess.StartAsync(computer, CodexCli.AgentArgs(Agent, home));
        CodexCli.CreateHome(home, daemon.ProjectPath, model);
        return daemon;
    }
}
