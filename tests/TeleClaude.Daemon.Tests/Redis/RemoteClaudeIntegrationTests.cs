using System.Net;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Tests.Infrastructure;
using static TeleClaude.Daemon.Tests.Infrastructure.AgentPushes;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// The real Claude Code CLI (offline, against the scripted model server) in a tmux session of daemon B, driven entirely
/// from a client of daemon A across a real redis-server: A starts it on B, sees it idle, active and waiting on the
/// permission dialog (pushed as <c>session_updated</c> events), answers it (<c>answer_session</c>), sees it idle with the
/// scripted last message, reads the transcript page by page (<c>get_session_messages</c>), watches its screen
/// (<c>watch_output</c>) and ends it.
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
internal sealed class RemoteClaudeIntegrationTests
{
    private const string Agent = "claudecode";
    private const string LastMessage = "Done on bravo: the file is there.";

    [Test]
    public async Task ClaudeOnB_FromAClientOnA_WaitingAnsweredIdle_TranscriptPaged_ScreenWatched_Ended(CancellationToken cancellationToken)
    {
        await using var model = await ScriptedModelServer.StartAsync(
            ScriptedTurn.Bash("touch made-on-bravo.txt", "Create the marker file"),
            ScriptedTurn.Say(LastMessage));
        await using var redis = await RedisServer.StartAsync();
        var home = Path.Combine(Directory.CreateTempSubdirectory("tc-claude-").FullName, "home");
        string[] transport = [$"--TeleClaude:Redis:Configuration={redis.Configuration}", .. DaemonProcess.FastTransport];
        await using var b = await DaemonProcess.StartAsync("bravo", [.. transport, .. ClaudeCli.AgentArgs(Agent, home, model)]);
        await using var a = await DaemonProcess.StartAsync("alpha", transport);
        ClaudeCli.CreateHome(home, b.ProjectPath);
        var (hub, pushes) = await a.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), cancellationToken: cancellationToken);
        await Eventually.ThatAsync(() => Task.FromResult(b.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains("alpha")), "bravo sees alpha's interest");
        await Eventually.ThatAsync(() => Task.FromResult(a.Get<PeerDirectory>().Get("bravo") is not null), "alpha sees bravo online");
        using var rest = a.Rest();

        var created = await rest.CreateSessionAsync(new CreateSessionRequest(b.ProjectPath, "Real Claude on bravo", Agent, "bravo"), cancellationToken);
        Assert.That(created.Computer, Is.EqualTo("bravo"));
        try
        {
            await NextSessionAsync(pushes, created.SessionId, s => s.Status == SessionStatus.Idle && s.HasTranscript, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            // Where it stopped: on bravo itself (its hooks) or on the way to alpha (its events)?
            using var restB = b.Rest();
            var onB = await restB.GetSessionAsync(created.SessionId, cancellationToken);
            var counters = (await restB.DiagnosticsAsync(cancellationToken)).Counters;
            throw new TimeoutException(
                $"{ex.Message}\nOn bravo: status {onB.Status}, has_transcript {onB.HasTranscript}; " +
                string.Join(", ", counters.Where(c => c.Key.StartsWith("hook", StringComparison.Ordinal) || c.Key.StartsWith("events", StringComparison.Ordinal)).Select(c => $"{c.Key}={c.Value}")), ex);
        }

        await rest.SendInputAsync(created.SessionId, "please create the marker file", cancellationToken);
        await NextSessionAsync(pushes, created.SessionId, s => s.Status == SessionStatus.Active, cancellationToken);
        var waiting = await NextSessionAsync(pushes, created.SessionId, s => s.Status == SessionStatus.Waiting, cancellationToken);
        Assert.That(waiting.Waiting!.Kind, Is.EqualTo(WaitingKinds.Permission));
        Assert.That(waiting.Waiting.Text, Does.Contain("Bash: touch made-on-bravo.txt"));
        if (waiting.Waiting.Choices.Count == 0)
        {
            waiting = await NextSessionAsync(pushes, created.SessionId, s => s.Waiting is { Choices.Count: > 0 }, cancellationToken);
        }

        Assert.That(waiting.Waiting!.Choices[0], Is.EqualTo(new AnswerChoice("1", "Yes", AnswerMeanings.Yes)));
        Assert.That(File.Exists(Path.Combine(b.ProjectPath, "made-on-bravo.txt")), Is.False, "nothing runs before the answer");

        // The owner checks the key against the dialog it read; its 400 comes back with its words.
        var wrong = Assert.ThrowsAsync<TeleClaudeApiException>(() => rest.AnswerAsync(created.SessionId, "9", cancellationToken));
        Assert.That(wrong!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(wrong.Body, Does.Contain("'9' is not one of the session's choices").And.Contain("1 (Yes)"));

        var answered = await rest.AnswerAsync(created.SessionId, "1", cancellationToken);
        Assert.That(answered.Status, Is.EqualTo(SessionStatus.Active));
        var stopped = await UntilStoppedAsync(pushes, created.SessionId, () => rest.AnswerAsync(created.SessionId, "1", cancellationToken), cancellationToken);
        Assert.That(stopped.Session.Status, Is.EqualTo(SessionStatus.Idle));
        Assert.That(stopped.Session.LastMessage, Is.EqualTo(LastMessage));
        Assert.That(File.Exists(Path.Combine(b.ProjectPath, "made-on-bravo.txt")), Is.True, "the approved tool ran on bravo");

        (string, string)[] turns = [("user", "please create the marker file"), ("tool", "Bash: touch made-on-bravo.txt"), ("assistant", LastMessage)];
        SessionMessages? messages = null;
        await Eventually.ThatAsync(
            async () =>
            {
                messages = await rest.GetMessagesAsync(created.SessionId, cancellationToken: cancellationToken);
                return turns.All(t => messages.Messages.Any(m => (m.Role, m.Text) == t));
            },
            "alpha reads bravo's transcript with the prompt, the tool call and the last message",
            TimeSpan.FromSeconds(30));
        Assert.That(messages!.Source, Is.EqualTo("transcript"));
        var page = await rest.GetMessagesAsync(created.SessionId, messages.Messages[0].Cursor, 1, cancellationToken);
        Assert.That(page.Messages.Single(), Is.EqualTo(messages.Messages[1]), "paged across computers as locally: forward from the cursor");
        Assert.That(page.NextCursor, Is.EqualTo(messages.Messages[1].Cursor));

        await hub.Watch(created.SessionId);
        var screen = await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.SessionId == created.SessionId, cancellationToken);
        Assert.That(screen.Computer, Is.EqualTo("bravo"));
        Assert.That(screen.Screen, Does.Contain(LastMessage));

        await rest.SendInputAsync(created.SessionId, "/exit", cancellationToken);
        var ended = await WithinAsync(pushes, () => pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionTerminated), s => s.SessionId == created.SessionId, cancellationToken));
        Assert.That(ended.Status, Is.EqualTo(SessionStatus.Terminated));
        Assert.That(b.Get<RedisCounters>().Get(RedisCounters.MalformedRequests), Is.Zero);
        Assert.That(a.Get<RedisCounters>().Get(RedisCounters.MalformedResponses), Is.Zero);
    }
}
