using System.Net;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Tests.Infrastructure;
using static TeleClaude.Daemon.Tests.Infrastructure.AgentPushes;

namespace TeleClaude.Daemon.Tests.Agents;

/// <summary>
/// The real Gemini CLI in a real tmux session of the real daemon, against the scripted Gemini API: the hooks of the
/// daemon's Gemini extension drive the status a subscribed client sees (idle → active → waiting on the shell-tool
/// confirmation with its text and choices → active → idle with the last message → terminated), the answer route presses
/// the dialog's key, and the user's own Gemini hook keeps running beside ours.
/// </summary>
[TestFixture]
[CancelAfter(240_000)]
internal sealed class GeminiCliIntegrationTests
{
    private const string Agent = "geminicli";
    private const string LastMessage = "All done: the file is there.";

    [Test]
    public async Task GeminiSession_GoesWaitingOnShellConfirmation_AnswerRunsTool_ThenIdleWithLastMessage_ThenTerminated(CancellationToken cancellationToken)
    {
        await using var model = await ScriptedGeminiServer.StartAsync(
            ScriptedTurn.Bash("touch made-by-gemini.txt", "Create the marker file"),
            ScriptedTurn.Say(LastMessage));
        var home = NewHome();
        await using var daemon = await StartDaemonAsync("geminibox", model, home);
        using var rest = daemon.Rest();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), cancellationToken: cancellationToken);

        var created = await daemon.CreateSessionAsync("Real Gemini", agent: Agent);
        Assert.That(File.Exists(Path.Combine(home, ".gemini", "extensions", "teleclaude", "hooks", "hooks.json")), "the daemon wrote its extension");
        var ready = await NextSessionAsync(pushes, created.SessionId, s => s.Status == SessionStatus.Idle, cancellationToken);
        Assert.That(ready.Waiting, Is.Null);

        await rest.SendInputAsync(created.SessionId, "please create the marker file", cancellationToken);
        var active = await NextSessionAsync(pushes, created.SessionId, s => s.Status == SessionStatus.Active && s.LastInput is not null, cancellationToken);
        Assert.That(active.LastInput, Is.EqualTo("please create the marker file"));

        var waiting = await NextSessionAsync(pushes, created.SessionId, s => s.Status == SessionStatus.Waiting, cancellationToken);
        Assert.That(waiting.Waiting!.Kind, Is.EqualTo(WaitingKinds.Permission));
        Assert.That(waiting.Waiting.Text, Is.EqualTo("Confirm Shell Command: touch made-by-gemini.txt"));
        var withChoices = waiting.Waiting.Choices.Count > 0
            ? waiting
            : await NextSessionAsync(pushes, created.SessionId, s => s.Waiting is { Choices.Count: > 0 }, cancellationToken);
        var choices = withChoices.Waiting!.Choices;
        Assert.That(choices[0], Is.EqualTo(new AnswerChoice("1", "Allow once", AnswerMeanings.Yes)), "Gemini's dialog, read from the screen: " + string.Join(" | ", choices));
        Assert.That(choices, Has.Some.Matches<AnswerChoice>(c => c.Meaning == AnswerMeanings.No));
        Assert.That(File.Exists(Path.Combine(daemon.ProjectPath, "made-by-gemini.txt")), Is.False, "nothing runs before the answer");

        var wrong = Assert.ThrowsAsync<TeleClaudeApiException>(() => rest.AnswerAsync(created.SessionId, "9", cancellationToken));
        Assert.That(wrong!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        var answered = await rest.AnswerAsync(created.SessionId, "1", cancellationToken);
        Assert.That(answered.Status, Is.EqualTo(SessionStatus.Active));
        Assert.That(answered.Waiting, Is.Null);

        // Like Claude Code, an Ink dialog may let a key pressed into it the moment it opened pass: the daemon then reports
        // the session waiting again, and the user answers again, as this test does, at most twice more.
        var stopped = await UntilStoppedAsync(pushes, created.SessionId, () => rest.AnswerAsync(created.SessionId, "1", cancellationToken), cancellationToken);
        Assert.That(stopped.Session.Status, Is.EqualTo(SessionStatus.Idle));
        Assert.That(stopped.Session.LastMessage, Is.EqualTo(LastMessage));
        Assert.That(stopped.Summary, Is.EqualTo(LastMessage));
        Assert.That(File.Exists(Path.Combine(daemon.ProjectPath, "made-by-gemini.txt")), Is.True, "the approved tool ran");
        Assert.That(model.ToolResults, Is.Not.Empty, "the tool's result went back to the model");
        await Eventually.ThatAsync(() => Task.FromResult(File.Exists(Path.Combine(home, "user-hook-ran"))), "the user's own AfterAgent hook ran beside ours");

        await rest.SendInputAsync(created.SessionId, "/quit", cancellationToken);
        SessionInfo ended;
        try
        {
            ended = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionTerminated), s => s.SessionId == created.SessionId, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Seen once under load: Gemini took "/quit" and its Enter as one paste and kept it in its input box. No hook
            // reports a slash command, so the daemon does not press Enter again for one; the user does, in the terminal.
            TestContext.Out.WriteLine("/quit stayed in the input box: Enter pressed again");
            await Tmux.RunAsync(daemon.TmuxSocketName, cancellationToken, "send-keys", "-t", "tc-" + created.SessionId, "Enter");
            ended = await WithinAsync(pushes, () => pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionTerminated), s => s.SessionId == created.SessionId, cancellationToken));
        }

        Assert.That(ended.Status, Is.EqualTo(SessionStatus.Terminated));
        Assert.That(await daemon.CounterAsync("hook_rejected_secret"), Is.Zero);
        Assert.That(await daemon.CounterAsync("hook_events"), Is.GreaterThanOrEqualTo(6));
    }

    [Test]
    public async Task FirstMessage_GivenAtStart_ReachesGeminiOnceItIsReady(CancellationToken cancellationToken)
    {
        await using var model = await ScriptedGeminiServer.StartAsync(ScriptedTurn.Say("Started on it."));
        var home = NewHome();
        await using var daemon = await StartDaemonAsync("geminifirst", model, home);
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);

        var created = await daemon.CreateSessionAsync("Told at start", message: "begin with the tests", agent: Agent);

        var stopped = await WithinAsync(pushes, () => pushes.NextAsync<AgentEventInfo>(nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == created.SessionId, cancellationToken));
        Assert.That(stopped.Session.LastInput, Is.EqualTo("begin with the tests"));
        Assert.That(stopped.Session.LastMessage, Is.EqualTo("Started on it."));
        Assert.That(model.TurnsServed, Is.EqualTo(1), "requests: " + string.Join(", ", model.Requests));
    }

    [Test]
    public async Task FirstMessage_InAnUntrustedFolder_WaitsForTheTrustQuestion_NeverAnswersIt(CancellationToken cancellationToken)
    {
        await using var model = await ScriptedGeminiServer.StartAsync(ScriptedTurn.Say("Started on it."));
        var home = NewHome();
        await using var daemon = await StartDaemonAsync("geminitrust", model, home, trusted: false);
        using var rest = daemon.Rest();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);

        var created = await daemon.CreateSessionAsync("Untrusted", message: "begin with the tests", agent: Agent);

        // Gemini reports SessionStart while it asks whether to trust the folder: typed now, the message's Enter would
        // pick "Trust folder" for the user (and Gemini exits to reload).
        await NextSessionAsync(pushes, created.SessionId, s => s.LastOutput?.Contains("Do you trust the files in this folder?", StringComparison.Ordinal) == true, cancellationToken);
        await rest.SendInputAsync(created.SessionId, "3", cancellationToken); // "3. Don't trust", as the user would

        var stopped = await WithinAsync(pushes, () => pushes.NextAsync<AgentEventInfo>(nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == created.SessionId, cancellationToken));
        Assert.That(stopped.Session.LastInput, Is.EqualTo("begin with the tests"), "the message went in once the question was gone");
        Assert.That(stopped.Session.LastMessage, Is.EqualTo("Started on it."));
        Assert.That(model.TurnsServed, Is.EqualTo(1), "requests: " + string.Join(", ", model.Requests));
        Assert.That(File.ReadAllText(Path.Combine(home, ".gemini", "trustedFolders.json")), Does.Contain("DO_NOT_TRUST").And.Not.Contain("\"TRUST_"), "the folder stayed untrusted, as answered");
    }

    [Test]
    public async Task GeminiSession_WhoseTmuxServerEnds_WhileItAsks_LeavesNoGeminiProcessBehind(CancellationToken cancellationToken)
    {
        await using var model = await ScriptedGeminiServer.StartAsync();
        var home = NewHome();
        await using var daemon = await StartDaemonAsync("geminiend", model, home, trusted: false);
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var created = await daemon.CreateSessionAsync("Ended with its tmux server", agent: Agent);
        await NextSessionAsync(pushes, created.SessionId, s => s.LastOutput?.Contains("Do you trust the files in this folder?", StringComparison.Ordinal) == true, cancellationToken);
        var (_, pane) = await Tmux.RunAsync(daemon.TmuxSocketName, cancellationToken, "display-message", "-p", "-t", "tc-" + created.SessionId, "#{pane_pid}");
        Assert.That(File.ReadAllText($"/proc/{pane}/cmdline"), Does.Contain("gemini.js"), "the pane runs Gemini itself (env execs node)");

        // The tmux server goes away while Gemini shows a question (here its folder-trust question): every pane gets a hang-up.
        await Tmux.RunAsync(daemon.TmuxSocketName, cancellationToken, "kill-server");

        // Relaunched as a child node process (its default), Gemini 0.61 ignored that hang-up and both processes lived on
        // (this test failed so without GEMINI_CLI_NO_RELAUNCH; idle at its prompt, the pair did exit).
        await Eventually.ThatAsync(() => Task.FromResult(!Directory.Exists($"/proc/{pane}")), $"Gemini (pid {pane}) exited with its terminal");
    }

    private static string NewHome() => Path.Combine(Directory.CreateTempSubdirectory("tc-gemini-").FullName, "home");

    /// <summary>A daemon whose agent <see cref="Agent"/> is the real Gemini CLI talking to <paramref name="model"/>, with its own HOME.</summary>
    private static async Task<DaemonProcess> StartDaemonAsync(string computer, ScriptedGeminiServer model, string home, bool trusted = true)
    {
        var daemon = await DaemonProcess.StartAsync(computer, GeminiCli.AgentArgs(Agent, home, model));
        GeminiCli.CreateHome(home, daemon.ProjectPath, trusted);
        return daemon;
    }
}
