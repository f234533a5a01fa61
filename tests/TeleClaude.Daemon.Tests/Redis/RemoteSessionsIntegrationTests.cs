using System.Net;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// Sessions of another computer, watched, answered and read across a real redis-server: daemons A (the watcher) and B
/// (the owner) with their own sockets, databases and tmux servers, B's sessions running the stand-in agent, real SignalR
/// clients on A. Leases are 3 s (renewed every second) so that expiry shows within a test.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
internal sealed class RemoteSessionsIntegrationTests
{
    private const string Lease = "--TeleClaude:Redis:WatchLease=00:00:03";

    private RedisServer _redis = null!;
    private ConnectionMultiplexer _client = null!;
    private readonly List<IAsyncDisposable> _owned = [];

    [SetUp]
    public async Task StartRedis()
    {
        _redis = await RedisServer.StartAsync();
        _client = await _redis.ConnectAsync();
    }

    [TearDown]
    public async Task StopEverything()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        _owned.Clear();
        await _client.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private async Task<DaemonProcess> StartDaemonAsync(string name, params string[] extra)
    {
        var daemon = await DaemonProcess.StartAsync(name, [$"--TeleClaude:Redis:Configuration={_redis.Configuration}", .. DaemonProcess.FastTransport, Lease, .. extra]);
        _owned.Add(daemon);
        return daemon;
    }

    /// <summary>A hub client on <paramref name="daemon"/> subscribed to sessions, once the state holds <paramref name="sessionId"/>.</summary>
    private static async Task<(SessionsHubClient Hub, RecordingClient Pushes)> SubscribedAsync(DaemonProcess daemon, string sessionId, CancellationToken cancellationToken)
    {
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var state = await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), cancellationToken: cancellationToken);
        if (!state.Sessions.Any(s => s.SessionId == sessionId))
        {
            await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == sessionId, cancellationToken);
        }

        return (hub, pushes);
    }

    private static Task<SessionOutput> OutputAsync(RecordingClient pushes, string text, CancellationToken cancellationToken) =>
        pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.Screen.Contains(text, StringComparison.Ordinal), cancellationToken);

    private int ScreenKeys() => _client.GetServers().Single().Keys(pattern: "screen:*").Count();

    [Test]
    public async Task RemoteWatch_ClientsOnA_GetBsScreen_AtOnceAndAfterEachChange_AndNoScreenTrafficWithoutAWatcher(CancellationToken cancellationToken)
    {
        var b = await StartDaemonAsync("bravo");
        var a = await StartDaemonAsync("alpha");
        var session = await b.CreateSessionAsync("Watched from alpha");
        var (hub, pushes) = await SubscribedAsync(a, session.SessionId, cancellationToken);
        using var rest = a.Rest();

        // Nobody watches: B's output reaches A only as last_output in session events; no screen stream is written.
        await rest.SendInputAsync(session.SessionId, "before anyone watches", cancellationToken);
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionUpdated), s => s.SessionId == session.SessionId && (s.LastOutput ?? "").Contains("agent got: before anyone watches", StringComparison.Ordinal), cancellationToken);
        Assert.That(ScreenKeys(), Is.Zero, "no screen stream without a watcher");
        Assert.That(b.Get<RedisCounters>().Get(RedisCounters.ScreenEntriesSent), Is.Zero);

        await hub.Watch(session.SessionId);
        var first = await OutputAsync(pushes, "agent got: before anyone watches", cancellationToken);
        Assert.That(first.Computer, Is.EqualTo("bravo"));
        Assert.That(first.SessionId, Is.EqualTo(session.SessionId));

        await rest.SendInputAsync(session.SessionId, "while watched", cancellationToken);
        await OutputAsync(pushes, "agent got: while watched", cancellationToken);

        // A second client on A shares the watch (one lease on B) and gets the last screen at once.
        var (second, secondPushes) = await a.ConnectAsync();
        await second.Watch(session.SessionId);
        await OutputAsync(secondPushes, "agent got: while watched", cancellationToken);
        Assert.That(b.Get<ScreenPublisher>().LeaseCount, Is.EqualTo(1), "both clients on A share one lease");
        Assert.That(a.Get<RedisCounters>().Get(RedisCounters.RemoteWatches), Is.EqualTo(1));

        // The first leaves; the second still gets changes, the first none.
        await hub.Unwatch(session.SessionId);
        await rest.SendInputAsync(session.SessionId, "one watcher left", cancellationToken);
        await OutputAsync(secondPushes, "agent got: one watcher left", cancellationToken);
        Assert.That(pushes.Drain().Select(p => p.Payload).OfType<SessionOutput>().Where(o => o.Screen.Contains("one watcher left", StringComparison.Ordinal)), Is.Empty);

        // The last one leaves: A sends unwatch_output and B stops at once (not by lease expiry); then B's output is
        // written nowhere (observed through the session events, counted on B and in Redis).
        await second.DisposeAsync();
        await Eventually.ThatAsync(() => Task.FromResult(b.Get<ScreenPublisher>().LeaseCount == 0), "B ended the lease when A's last watcher left");
        Assert.That(b.Get<RedisCounters>().Get(RedisCounters.ScreenLeasesExpired), Is.Zero, "ended by unwatch_output, not by expiry");
        var written = b.Get<RedisCounters>().Get(RedisCounters.ScreenEntriesSent);
        var length = await _client.GetDatabase().StreamLengthAsync(RedisKeys.Screen("bravo", session.SessionId));
        await rest.SendInputAsync(session.SessionId, "after everyone left", cancellationToken);
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionUpdated), s => s.SessionId == session.SessionId && (s.LastOutput ?? "").Contains("agent got: after everyone left", StringComparison.Ordinal), cancellationToken);
        Assert.That(b.Get<RedisCounters>().Get(RedisCounters.ScreenEntriesSent), Is.EqualTo(written), "no XADD after the last watcher left");
        Assert.That(await _client.GetDatabase().StreamLengthAsync(RedisKeys.Screen("bravo", session.SessionId)), Is.EqualTo(length));
        Assert.That(length, Is.InRange(1, 50), "the screen stream is bounded (MAXLEN)");
        Assert.That(await _client.GetDatabase().KeyTimeToLiveAsync(RedisKeys.Screen("bravo", session.SessionId)), Is.Not.Null, "the screen stream expires by itself");
        Assert.That(a.Get<RedisCounters>().Get(RedisCounters.MalformedScreens), Is.Zero);
    }

    [Test]
    public async Task WatcherDaemonKilled_OwnerStopsWritingWithinOneLease(CancellationToken cancellationToken)
    {
        var b = await StartDaemonAsync("bravo",
            "--TeleClaude:Agents:ticker:Command:0=sh", "--TeleClaude:Agents:ticker:Command:1=-c",
            "--TeleClaude:Agents:ticker:Command:2=while :; do date +%s.%N; sleep 0.3; done");
        var ticker = await b.CreateSessionAsync("Prints all the time", agent: "ticker");

        // The watcher daemon in its own process, so it can be killed as a crash would (SIGKILL: no unwatch_output).
        var directory = Directory.CreateTempSubdirectory("tc-watcher-").FullName;
        var socket = Path.Combine(directory, "d.sock");
        await File.WriteAllTextAsync(Path.Combine(directory, "config.json"), "{}", cancellationToken);
        var tmuxSocket = "tc-test-" + Path.GetFileName(directory);
        var killed = false;
        var watcher = DaemonCommandLine.Start(
        [
            "--config", Path.Combine(directory, "config.json"), "--socket", socket, "--db", Path.Combine(directory, "d.db"), "--computer", "alpha",
            $"--TeleClaude:Redis:Configuration={_redis.Configuration}", $"--TeleClaude:Sessions:TmuxSocketName={tmuxSocket}",
            .. DaemonProcess.FastTransport, Lease,
        ]);
        try
        {
            await watcher.WaitUntilServingAsync(socket, cancellationToken);
            var pushes = new RecordingClient();
            await using var hub = SessionsHubClient.Create(socket, pushes);
            await hub.StartAsync(cancellationToken);
            await hub.Subscribe(Views.Sessions);
            await pushes.SeenOrNextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), s => s.Sessions.Any(x => x.SessionId == ticker.SessionId), cancellationToken);
            await hub.Watch(ticker.SessionId);
            var seen = await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.SessionId == ticker.SessionId, cancellationToken);
            await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.SessionId == ticker.SessionId && o.Screen != seen.Screen, cancellationToken);
            Assert.That(b.Get<ScreenPublisher>().LeaseCount, Is.EqualTo(1));

            var killedAt = DateTimeOffset.UtcNow;
            killed = true;
            await watcher.DisposeAsync(); // SIGKILL, waited for
            await Eventually.ThatAsync(() => Task.FromResult(b.Get<ScreenPublisher>().LeaseCount == 0), "B's lease of the killed watcher ran out", TimeSpan.FromSeconds(30));

            var db = _client.GetDatabase();
            var key = RedisKeys.Screen("bravo", ticker.SessionId);
            var last = (await db.StreamRangeAsync(key, "-", "+", count: 1, messageOrder: Order.Descending)).Single();
            var lastWrite = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(last.Id.ToString().Split('-')[0], System.Globalization.CultureInfo.InvariantCulture));
            TestContext.Out.WriteLine($"last screen written {(lastWrite - killedAt).TotalMilliseconds:0} ms after the kill (lease 3000 ms)");
            // The lease was renewed at most a third of it before the kill, so it ends at most 3 s after it; the rest is
            // room for a loaded machine's late timer. Without the lease B would write for as long as the agent prints.
            Assert.That(lastWrite - killedAt, Is.LessThan(TimeSpan.FromSeconds(6)), "B stopped writing within one lease of the kill");
            Assert.That(b.Get<RedisCounters>().Get(RedisCounters.ScreenLeasesExpired), Is.EqualTo(1));

            // The agent keeps printing (a watcher on B sees new screens) and nothing more goes to Redis.
            var written = b.Get<RedisCounters>().Get(RedisCounters.ScreenEntriesSent);
            var (local, localPushes) = await b.ConnectAsync();
            await local.Watch(ticker.SessionId);
            var screen = (await localPushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), cancellationToken: cancellationToken)).Screen;
            for (var i = 0; i < 3; i++)
            {
                screen = (await localPushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.Screen != screen, cancellationToken)).Screen;
            }

            Assert.That(b.Get<RedisCounters>().Get(RedisCounters.ScreenEntriesSent), Is.EqualTo(written), "no XADD after the lease ended");
            Assert.That((await db.StreamRangeAsync(key, "-", "+", count: 1, messageOrder: Order.Descending)).Single().Id, Is.EqualTo(last.Id));
        }
        finally
        {
            if (!killed)
            {
                await watcher.DisposeAsync();
            }

            using var kill = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("tmux", ["-L", tmuxSocket, "kill-server"]) { RedirectStandardError = true })!;
            await kill.WaitForExitAsync(cancellationToken);
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task OwnerRestarted_ThenRedisRestartedEmpty_TheWatchGoesOn_WithoutTheClientDoingAnything(CancellationToken cancellationToken)
    {
        var b = await StartDaemonAsync("bravo");
        var a = await StartDaemonAsync("alpha");
        var session = await b.CreateSessionAsync("Survives restarts");
        var (hub, pushes) = await SubscribedAsync(a, session.SessionId, cancellationToken);
        await hub.Watch(session.SessionId);
        await OutputAsync(pushes, "test agent ready", cancellationToken);
        using var restB = b.Rest();

        // B restarts (its tmux session lives on): A's next renewal is a new lease to the new B, which sends the screen again.
        await b.StopAsync();
        await b.StartAsync();
        using (var restAfter = b.Rest())
        {
            await restAfter.SendInputAsync(session.SessionId, "after the owner restarted", cancellationToken);
        }

        await WithinAsync(() => OutputAsync(pushes, "agent got: after the owner restarted", cancellationToken), TimeSpan.FromSeconds(45));
        Assert.That(b.Get<ScreenPublisher>().LeaseCount, Is.EqualTo(1), "the restarted owner took the lease from the renewal");

        // Redis restarts empty: both daemons reconnect, the lease is renewed (or taken anew) and screens flow again.
        await _redis.RestartAsync();
        using (var restAfter = b.Rest())
        {
            await restAfter.SendInputAsync(session.SessionId, "after redis came back", cancellationToken);
        }

        await WithinAsync(() => OutputAsync(pushes, "agent got: after redis came back", cancellationToken), TimeSpan.FromSeconds(60));
        await restB.SendInputAsync(session.SessionId, "and on", cancellationToken);
        await WithinAsync(() => OutputAsync(pushes, "agent got: and on", cancellationToken), TimeSpan.FromSeconds(30));
    }

    [Test]
    public async Task WatcherDaemonRestarted_ItsClientWatchesAgain_AndOnlyTheNewLeaseRemains(CancellationToken cancellationToken)
    {
        var b = await StartDaemonAsync("bravo");
        var a = await StartDaemonAsync("alpha");
        var session = await b.CreateSessionAsync("Watched across a restart of the watcher");
        var (hub, pushes) = await SubscribedAsync(a, session.SessionId, cancellationToken);
        await hub.Watch(session.SessionId);
        await OutputAsync(pushes, "test agent ready", cancellationToken);

        // A restarts: its clients lose their connection and, as telec does, connect, subscribe and watch again.
        await hub.DisposeAsync();
        await a.StopAsync();
        await a.StartAsync();
        var (again, againPushes) = await SubscribedAsync(a, session.SessionId, cancellationToken);
        await again.Watch(session.SessionId);
        await OutputAsync(againPushes, "test agent ready", cancellationToken);
        using (var restB = b.Rest())
        {
            await restB.SendInputAsync(session.SessionId, "after the watcher restarted", cancellationToken);
        }

        await OutputAsync(againPushes, "agent got: after the watcher restarted", cancellationToken);
        await Eventually.ThatAsync(() => Task.FromResult(b.Get<ScreenPublisher>().LeaseCount == 1), "the old A's lease ended (unwatched at its shutdown or run out); the new one holds");
    }

    [Test]
    public async Task RemoteAnswerAndMessages_ThroughRestAndMcp_AreCheckedByTheOwner_WithItsErrorsRelayed(CancellationToken cancellationToken)
    {
        var b = await StartDaemonAsync("bravo");
        var a = await StartDaemonAsync("alpha");
        var session = await b.CreateSessionAsync("Asks from bravo");
        var (_, pushes) = await SubscribedAsync(a, session.SessionId, cancellationToken);
        using var rest = a.Rest();

        // Not waiting yet: the owner's 409 comes back as a 409.
        using (var early = await rest.Http.PostAsJsonAsync($"sessions/{session.SessionId}/answer", new AnswerRequest("y"), TeleClaudeRestClient.JsonOptions, cancellationToken))
        {
            Assert.That(early.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), await early.Content.ReadAsStringAsync(cancellationToken));
            Assert.That(await early.Content.ReadAsStringAsync(cancellationToken), Does.Contain("not waiting for an answer"));
        }

        await rest.SendInputAsync(session.SessionId, "ask", cancellationToken);
        var waiting = await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionUpdated), s => s.SessionId == session.SessionId && s.Status == SessionStatus.Waiting, cancellationToken);
        Assert.That(waiting.Waiting!.Choices.Select(c => c.Key), Is.EqualTo(new[] { "y", "n" }));

        // A key that is not a choice: the owner's 400, with its words and the field it names, relayed.
        using (var wrong = await rest.Http.PostAsJsonAsync($"sessions/{session.SessionId}/answer", new AnswerRequest("x"), TeleClaudeRestClient.JsonOptions, cancellationToken))
        {
            var body = await wrong.Content.ReadAsStringAsync(cancellationToken);
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
            Assert.That(body, Does.Contain("'x' is not one of the session's choices: y (Yes), n (No)").And.Contain("\"choice\""));
        }

        var answered = await rest.AnswerAsync(session.SessionId, "y", cancellationToken);
        Assert.That(answered.Status, Is.EqualTo(SessionStatus.Active));
        Assert.That(answered.Computer, Is.EqualTo("bravo"));
        var idle = await pushes.NextAsync<AgentEventInfo>(nameof(ISessionsClient.AgentEvent), e => e.Session.SessionId == session.SessionId, cancellationToken);
        Assert.That(idle.Summary, Does.Contain("answered: y"));

        var messages = await rest.GetMessagesAsync(session.SessionId, cancellationToken: cancellationToken);
        Assert.That(messages.Source, Is.EqualTo("screen"), "the stand-in has no transcript: its screen, read on bravo");
        Assert.That(messages.Messages.Single().Text, Does.Contain("answered: y"));
        using (var badLimit = await rest.Http.GetAsync($"sessions/{session.SessionId}/messages?limit=0", cancellationToken))
        {
            Assert.That(badLimit.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        using (var unknown = await rest.Http.PostAsJsonAsync("sessions/no-such-session/answer", new AnswerRequest("y"), TeleClaudeRestClient.JsonOptions, cancellationToken))
        {
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }

        // MCP on A, the same command handlers: the owner's page, and its "not waiting" as a tool error.
        await using var mcp = await McpClients.ConnectAsync(a);
        var page = await McpClients.CallAsync(mcp, "get_session_messages", new() { ["session_id"] = session.SessionId });
        Assert.That(page.GetProperty("source").GetString(), Is.EqualTo("screen"));
        var notWaiting = await mcp.CallToolAsync("answer_session", new Dictionary<string, object?> { ["session_id"] = session.SessionId, ["choice"] = "y" }, cancellationToken: cancellationToken);
        Assert.That(notWaiting.IsError, Is.True);
        Assert.That(McpClients.Text(notWaiting), Does.Contain("not waiting for an answer"));
        Assert.That(b.Get<RedisCounters>().Get(RedisCounters.RequestsServed), Is.GreaterThanOrEqualTo(6));
    }

    [Test]
    public async Task PeerThatDoesNotKnowTheCommands_WatchAnswerAndMessages_SaySoClearly_AndLeaveNothingBehind(CancellationToken cancellationToken)
    {
        var a = await StartDaemonAsync("alpha");
        var peer = SeedPeer.Create(_redis, "zulu");
        _owned.Add(peer);
        peer.SetSessions("""[{"session_id":"z1","title":"Waits on zulu","status":"waiting"}]""");
        peer.Start();
        await Eventually.ThatAsync(async () => (await a.Rest().ListComputersAsync(cancellationToken)).Any(c => c.Name == "zulu" && c.Status == ComputerStatus.Online), "alpha lists zulu online");
        var (hub, _) = await SubscribedAsync(a, "z1", cancellationToken);
        using var rest = a.Rest();

        var watch = Assert.ThrowsAsync<HubException>(() => hub.Watch("z1"));
        using var answer = await rest.Http.PostAsJsonAsync("sessions/z1/answer", new AnswerRequest("1"), TeleClaudeRestClient.JsonOptions, cancellationToken);
        using var messages = await rest.Http.GetAsync("sessions/z1/messages", cancellationToken);

        Assert.That(watch!.Message, Does.Contain("Cannot watch session 'z1' on zulu: zulu does not know the request 'watch_output'").And.Contain("Update TeleClaude on zulu"));
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.NotImplemented));
        Assert.That(await answer.Content.ReadAsStringAsync(cancellationToken), Does.Contain("zulu does not know the request 'answer_session'"));
        Assert.That(messages.StatusCode, Is.EqualTo(HttpStatusCode.NotImplemented));
        Assert.That(await messages.Content.ReadAsStringAsync(cancellationToken), Does.Contain("zulu does not know the request 'get_session_messages'"));
        Assert.That(a.Get<StreamFollower>().Streams.Where(s => s.StartsWith("screen:", StringComparison.Ordinal)), Is.Empty, "the failed watch follows no stream");
        Assert.That(a.Get<RedisCounters>().Get(RedisCounters.RemoteWatches), Is.Zero);
        Assert.That(peer.Requests().Select(r => r.Command), Is.SupersetOf(new[] { "watch_output", "answer_session", "get_session_messages" }));
        Assert.That(await a.CounterAsync("output_watchers"), Is.Zero);
    }

    [Test]
    public async Task MalformedAndOversizedScreenEntries_AreCountedAndSkipped_LoggedOnce_AndTheNextGoodOneIsPushed(CancellationToken cancellationToken)
    {
        var b = await StartDaemonAsync("bravo");
        var a = await StartDaemonAsync("alpha");
        var session = await b.CreateSessionAsync("Screens from a bad writer");
        var (hub, pushes) = await SubscribedAsync(a, session.SessionId, cancellationToken);
        await hub.Watch(session.SessionId);
        await OutputAsync(pushes, "test agent ready", cancellationToken);

        // Anyone who may write to Redis can add entries to the stream A reads.
        var db = _client.GetDatabase();
        var key = RedisKeys.Screen("bravo", session.SessionId);
        var now = DateTimeOffset.UtcNow.ToString("O");
        NameValueEntry[][] bad =
        [
            [new("session_id", "another-session"), new("source", "bravo"), new("captured_at", now), new("screen", "BAD: another session")],
            [new("session_id", session.SessionId), new("source", "mallory"), new("captured_at", now), new("screen", "BAD: another writer")],
            [new("session_id", session.SessionId), new("source", "bravo"), new("captured_at", now)],
            [new("session_id", session.SessionId), new("source", "bravo"), new("captured_at", now), new("screen", "BAD: oversized " + new string('x', ScreenCodec.MaxScreenChars))],
        ];
        foreach (var entry in bad)
        {
            await db.StreamAddAsync(key, entry);
        }

        await Eventually.ThatAsync(() => Task.FromResult(a.Get<RedisCounters>().Get(RedisCounters.MalformedScreens) == 4), "A counted the four bad entries");
        await db.StreamAddAsync(key, [new("session_id", session.SessionId), new("source", "bravo"), new("captured_at", "1767225600"), new("screen", "GOOD: a plain screen")]);
        var good = await OutputAsync(pushes, "GOOD: a plain screen", cancellationToken);

        Assert.That(good.CapturedAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1767225600)), "epoch seconds are read too");
        Assert.That(pushes.Seen.Select(p => p.Payload).OfType<SessionOutput>().Where(o => o.Screen.StartsWith("BAD", StringComparison.Ordinal)), Is.Empty, "no bad entry was pushed");
        Assert.That(a.Logs.WithEventId(577), Has.Count.EqualTo(1), "one warning for the streak, not one per entry");
        Assert.That(a.Logs.WithEventId(577)[0].Message, Does.Contain("another-session"));
    }

    /// <summary>Retries <paramref name="next"/> (each bounded by the recorder's 10 s) until it succeeds or <paramref name="limit"/> passes.</summary>
    private static async Task<T> WithinAsync<T>(Func<Task<T>> next, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                return await next();
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }
}
