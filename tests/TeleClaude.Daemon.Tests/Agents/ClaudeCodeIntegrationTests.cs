using System.Net;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Tests.Infrastructure;
using static TeleClaude.Daemon.Tests.Infrastructure.AgentPushes;

namespace TeleClaude.Daemon.Tests.Agents;

/// <summary>
/// The real Claude Code CLI in a real tmux session of the real daemon, against the scripted model server: hooks drive
/// the status a subscribed client sees (idle → active → waiting with the permission dialog → active → idle with the
/// last message → terminated), the answer route presses the dialog's key, the transcript is served as messages, and
/// a watcher gets the screen.
/// </summary>
[TestFixture]
[CancelAfter(240_000)]
internal sealed class ClaudeCodeIntegrationTests
{
    private const string Agent = "claudecode";
    private const string LastMessage = "All done: the file is there.";

    [Test]
    public async Task ClaudeSession_GoesWaitingOnPermission_AnswerRunsTool_ThenIdleWithLastMessage_TranscriptAndWatch_ThenTerminated(CancellationToken cancellationToken)
    {
        await using var model = await ScriptedModelServer.StartAsync(
            ScriptedTurn.Bash("touch made-by-claude.txt", "Create the marker file"),
            ScriptedTurn.Say(LastMessage));
        var home = NewHome();
        await using var daemon = await StartDaemonAsync("claudebox", model, home);
        using var rest = daemon.Rest();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), cancellationToken: cancellationToken);

        var created = await daemon.CreateSessionAsync("Real Claude", agent: Agent);
        var ready = await NextSessionAsync(pushes, created.SessionId, s => s.Status == SessionStatus.Idle && s.HasTranscript, cancellationToken);
        Assert.That(ready.Waiting, Is.Null);

        await rest.SendInputAsync(created.SessionId, "please create the marker file", cancellationToken);
        var active = await NextSessionAsync(pushes, created.SessionId, s => s.Status == SessionStatus.Active, cancellationToken);
        Assert.That(active.LastInput, Is.EqualTo("please create the marker file"));

        var waiting = await NextSessionAsync(pushes, created.SessionId, s => s.Status == SessionStatus.Waiting, cancellationToken);
        Assert.That(waiting.Waiting!.Kind, Is.EqualTo(WaitingKinds.Permission));
        Assert.That(waiting.Waiting.Text, Does.Contain("Bash: touch made-by-claude.txt"));
        var withChoices = waiting.Waiting.Choices.Count > 0
            ? waiting
            : await NextSessionAsync(pushes, created.SessionId, s => s.Waiting is { Choices.Count: > 0 }, cancellationToken);
        var choices = withChoices.Waiting!.Choices;
        Assert.That(choices[0], Is.EqualTo(new AnswerChoice("1", "Yes", AnswerMeanings.Yes)), "Claude's dialog, read from the screen: " + string.Join(" | ", choices));
        Assert.That(choices, Has.Some.Matches<AnswerChoice>(c => c.Meaning == AnswerMeanings.No));
        Assert.That(File.Exists(Path.Combine(daemon.ProjectPath, "made-by-claude.txt")), Is.False, "nothing runs before the answer");

        var wrong = Assert.ThrowsAsync<TeleClaudeApiException>(() => rest.AnswerAsync(created.SessionId, "9", cancellationToken));
        Assert.That(wrong!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(wrong.Body, Does.Contain("'9' is not one of the session's choices").And.Contain("1 (Yes)"));

        var answered = await rest.AnswerAsync(created.SessionId, "1", cancellationToken);
        Assert.That(answered.Status, Is.EqualTo(SessionStatus.Active));
        Assert.That(answered.Waiting, Is.Null);

        // Claude Code can let a key pressed into a fresh dialog pass (seen under load); the daemon then reports the
        // session waiting again (answers_not_taken), and the user answers again, as this test does, at most twice more.
        var stopped = await UntilStoppedAsync(pushes, created.SessionId, () => rest.AnswerAsync(created.SessionId, "1", cancellationToken), cancellationToken);
        Assert.That(stopped.Session.Status, Is.EqualTo(SessionStatus.Idle));
        Assert.That(stopped.Session.LastMessage, Is.EqualTo(LastMessage));
        Assert.That(stopped.Summary, Is.EqualTo(LastMessage));
        Assert.That(File.Exists(Path.Combine(daemon.ProjectPath, "made-by-claude.txt")), Is.True, "the approved tool ran");
        await Eventually.ThatAsync(() => Task.FromResult(File.Exists(Path.Combine(home, "user-hook-ran"))), "the user's own Stop hook ran beside ours");

        var again = Assert.ThrowsAsync<TeleClaudeApiException>(() => rest.AnswerAsync(created.SessionId, "1", cancellationToken));
        Assert.That(again!.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(again.Body, Does.Contain("not waiting"));

        // Claude Code appends to its transcript on its own schedule: the last turn may land a moment after the Stop hook.
        (string, string)[] turns = [("user", "please create the marker file"), ("tool", "Bash: touch made-by-claude.txt"), ("assistant", LastMessage)];
        SessionMessages? messages = null;
        await Eventually.ThatAsync(
            async () =>
            {
                messages = await rest.Http.GetFromJsonAsync<SessionMessages>($"sessions/{created.SessionId}/messages", TeleClaudeRestClient.JsonOptions, cancellationToken);
                return turns.All(t => messages!.Messages.Any(m => (m.Role, m.Text) == t));
            },
            "the transcript holds the user's prompt, the tool call and the last message");
        Assert.That(messages!.Source, Is.EqualTo("transcript"));
        Assert.That(messages.Messages.Select(m => (m.Role, m.Text)), Is.SupersetOf(turns));
        var page = await rest.Http.GetFromJsonAsync<SessionMessages>(
            $"sessions/{created.SessionId}/messages?since={Uri.EscapeDataString(messages.Messages[0].Cursor)}&limit=1", TeleClaudeRestClient.JsonOptions, cancellationToken);
        Assert.That(page!.Messages.Single(), Is.EqualTo(messages.Messages[1]), "paging reads forward from the cursor");
        Assert.That(page.NextCursor, Is.EqualTo(messages.Messages[1].Cursor));

        await hub.Watch(created.SessionId);
        var screen = await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.SessionId == created.SessionId, cancellationToken);
        Assert.That(screen.Screen, Does.Contain(LastMessage));

        await rest.SendInputAsync(created.SessionId, "/exit", cancellationToken);
        var ended = await WithinAsync(pushes, () => pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionTerminated), s => s.SessionId == created.SessionId, cancellationToken));
        Assert.That(ended.Status, Is.EqualTo(SessionStatus.Terminated));
        Assert.That(await daemon.CounterAsync("hook_rejected_secret"), Is.Zero);
        Assert.That(await daemon.CounterAsync("hook_events"), Is.GreaterThanOrEqualTo(6));
    }

    [Test]
    public async Task MultiLineMessage_ReachesClaudeAsOnePrompt_AndOneTurn(CancellationToken cancellationToken)
    {
        const string text = "first line of the message\nsecond line of the message";
        await using var model = await ScriptedModelServer.StartAsync(ScriptedTurn.Say("Read both lines."));
        await using var daemon = await StartDaemonAsync("claudelines", model);
        using var rest = daemon.Rest();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var created = await daemon.CreateSessionAsync("Two lines", agent: Agent);
        await NextSessionAsync(pushes, created.SessionId, s => s.Status == SessionStatus.Idle && s.HasTranscript, cancellationToken);

        await rest.SendInputAsync(created.SessionId, text, cancellationToken);

        var stopped = await WithinAsync(pushes, () => pushes.NextAsync<AgentEventInfo>(nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == created.SessionId, cancellationToken));
        Assert.That(stopped.Session.LastInput, Is.EqualTo(text), "the prompt Claude's hook reported: both lines, as one message");
        Assert.That(stopped.Session.LastMessage, Is.EqualTo("Read both lines."));
        Assert.That(model.TurnsServed, Is.EqualTo(1), "one turn, not one per line");
    }

    [Test]
    public async Task FirstMessage_GivenAtStart_ReachesClaudeOnceItIsReady(CancellationToken cancellationToken)
    {
        await using var model = await ScriptedModelServer.StartAsync(ScriptedTurn.Say("Started on it."));
        await using var daemon = await StartDaemonAsync("claudefirst", model);
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);

        var created = await daemon.CreateSessionAsync("Told at start", message: "begin with the tests", agent: Agent);

        var stopped = await WithinAsync(pushes, () => pushes.NextAsync<AgentEventInfo>(nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == created.SessionId, cancellationToken));
        Assert.That(stopped.Session.LastInput, Is.EqualTo("begin with the tests"));
        Assert.That(stopped.Session.LastMessage, Is.EqualTo("Started on it."));
        Assert.That(model.TurnsServed, Is.EqualTo(1));
    }

    private static string NewHome() => Path.Combine(Directory.CreateTempSubdirectory("tc-claude-").FullName, "home");

    /// <summary>A daemon whose agent <see cref="Agent"/> is the real Claude CLI talking to <paramref name="model"/>, with its own HOME.</summary>
    private static async Task<DaemonProcess> StartDaemonAsync(string computer, ScriptedModelServer model, string? home = null)
    {
        home ??= NewHome();
        var daemon = await DaemonProcess.StartAsync(computer, ClaudeCli.AgentArgs(Agent, home, model));
        ClaudeCli.CreateHome(home, daemon.ProjectPath);
        return daemon;
    }
}
