using System.Globalization;
using System.Text;
using CliWrap;
using CliWrap.Buffered;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Hosting;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Security;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// The fleet key against a real redis-server, real daemons and the real redis-cli: what an attacker who can write to
/// Redis tries (unsigned, forged, stale, replayed entries, a copy onto another computer's stream) starts nothing and is
/// counted and logged; daemons with the key talk as before, also while a key rotates; a peer without the key, or with
/// another, is refused with one clear line on each side.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
internal sealed class FleetKeyIntegrationTests
{
    private const string Key = "fleet-key-for-tests-0123456789abcdefghijklmnop";
    private const string NewKey = "new-fleet-key-for-tests-0123456789abcdefghijk";
    private const string OtherKey = "another-fleet-0123456789abcdefghijklmnopqrstu";

    private RedisServer _redis = null!;
    private ConnectionMultiplexer _client = null!;
    private readonly List<DaemonProcess> _daemons = [];

    private static CancellationToken Ct => TestContext.CurrentContext.CancellationToken;

    [SetUp]
    public async Task StartRedis()
    {
        _redis = await RedisServer.StartAsync();
        _client = await _redis.ConnectAsync();
    }

    [TearDown]
    public async Task StopEverything()
    {
        foreach (var daemon in _daemons)
        {
            await daemon.DisposeAsync();
        }

        _daemons.Clear();
        await _client.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private async Task<DaemonProcess> StartAsync(string name, params string[] args)
    {
        var daemon = await DaemonProcess.StartAsync(name, [$"--TeleClaude:Redis:Configuration={_redis.Configuration}", .. DaemonProcess.FastTransport, .. args]);
        _daemons.Add(daemon);
        return daemon;
    }

    private static string[] WithKey(string key = Key) => [$"--TeleClaude:Redis:FleetKey={key}"];

    private static async Task WaitOnlineAsync(DaemonProcess observer, params string[] peers) =>
        await Eventually.ThatAsync(
            async () =>
            {
                using var rest = observer.Rest();
                var online = (await rest.ListComputersAsync(Ct)).Where(c => c.Status == ComputerStatus.Online).Select(c => c.Name).ToHashSet();
                return peers.All(online.Contains);
            },
            $"{observer.Computer} sees {string.Join(", ", peers)} online");

    /// <summary><c>redis-cli -p PORT args...</c>, the tool an attacker with access to Redis would use; returns its output.</summary>
    private async Task<string> RedisCliAsync(params string[] args)
    {
        var result = await Cli.Wrap("redis-cli")
            .WithArguments(["-p", _redis.Port.ToString(CultureInfo.InvariantCulture), .. args])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(Encoding.UTF8, Ct);
        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        return result.StandardOutput.Trim();
    }

    private Task<string> XAddAsync(string stream, IEnumerable<NameValueEntry> fields) =>
        RedisCliAsync(["XADD", stream, "*", .. fields.SelectMany(f => new[] { (string)f.Name!, (string)f.Value! })]);

    private static long Counter(DaemonProcess daemon, string name) => daemon.Get<RedisCounters>().Get(name);

    private static long Dropped(DaemonProcess daemon) =>
        new[] { FleetCounters.DroppedUnsigned, FleetCounters.DroppedUnknownKey, FleetCounters.DroppedForged, FleetCounters.DroppedStale, FleetCounters.DroppedReplayed }
            .Sum(n => Counter(daemon, n));

    private static string[] Lines(DaemonProcess daemon, int eventId) => daemon.Logs.WithEventId(eventId).Select(e => e.Message).ToArray();

    private static async Task<IReadOnlyList<SessionInfo>> SessionsOfAsync(DaemonProcess daemon, string computer)
    {
        using var rest = daemon.Rest();
        return (await rest.ListSessionsAsync(Ct)).Where(s => s.Computer == computer).ToArray();
    }

    [Test]
    public async Task UnsignedForgedStaleAndCopiedRequests_FromRedisCli_StartNothing_AndAreCountedAndLogged()
    {
        var alpha = await StartAsync("alpha", WithKey());
        var keys = FleetKeys.From(Key);
        var args = RedisJson.Serialize(new CreateSessionRequest(alpha.ProjectPath, "Started by mallory", "claude"));
        NameValueEntry[] start = [new("command", "start_session"), new("initiator", "mallory"), new("args", args)];
        var now = DateTimeOffset.UtcNow;

        var forged = EntrySignature.Sign(keys, "messages:alpha", start, "mallory", now);
        forged[2] = new("args", RedisJson.Serialize(new CreateSessionRequest(alpha.ProjectPath, "Changed after signing", "claude")));
        var ids = new[]
        {
            await XAddAsync("messages:alpha", start),
            await XAddAsync("messages:alpha", forged),
            await XAddAsync("messages:alpha", EntrySignature.Sign(keys, "messages:bravo", start, "mallory", now)),
            await XAddAsync("messages:alpha", EntrySignature.Sign(keys, "messages:alpha", start, "mallory", now - TimeSpan.FromMinutes(5))),
        };

        await Eventually.ThatAsync(() => Task.FromResult(Dropped(alpha) == 4), "alpha dropped all four");
        // The drops are decided before anything is queued; a signed request sent after them is answered, the four never are.
        var probe = await XAddAsync("messages:alpha", EntrySignature.Sign(keys, "messages:alpha", [new("command", "list_sessions"), new("initiator", "tester")], "tester", DateTimeOffset.UtcNow));
        await Eventually.ThatAsync(async () => await _client.GetDatabase().StreamLengthAsync($"output:{probe}") > 0, "alpha answers the signed list_sessions");

        Assert.Multiple(async () =>
        {
            Assert.That(Counter(alpha, FleetCounters.DroppedUnsigned), Is.EqualTo(1));
            Assert.That(Counter(alpha, FleetCounters.DroppedForged), Is.EqualTo(2), "changed after signing; signed for messages:bravo");
            Assert.That(Counter(alpha, FleetCounters.DroppedStale), Is.EqualTo(1));
            Assert.That(await SessionsOfAsync(alpha, "alpha"), Is.Empty, "no session was started");
            Assert.That(Counter(alpha, RedisCounters.RequestsServed), Is.EqualTo(1), "only the signed probe was answered");
            foreach (var id in ids)
            {
                Assert.That(await _client.GetDatabase().KeyExistsAsync($"output:{id}"), Is.False, $"no answer to {id}");
            }

            Assert.That(Lines(alpha, 740).Single(), Does.StartWith($"Dropped an unsigned request from mallory on messages:alpha ({ids[0]})"));
            Assert.That(Lines(alpha, 742), Has.Length.EqualTo(2).And.All.StartsWith("Dropped a forged request claiming to be from mallory on messages:alpha"));
            Assert.That(Lines(alpha, 743).Single(), Does.StartWith($"Dropped a stale request from mallory on messages:alpha ({ids[3]})"));
            Assert.That(alpha.Logs.Entries.Where(e => e.Level >= LogLevel.Error), Is.Empty);
        });
        using var rest = alpha.Rest();
        var counters = (await rest.DiagnosticsAsync(Ct)).Counters;
        Assert.That(counters[FleetCounters.DroppedUnsigned], Is.EqualTo(1), "diagnostics show the counters");
    }

    [Test]
    public async Task ReplayedSignedRequest_IsRefused_BeforeAndAfterTheDaemonRestarts_OneSessionOnly()
    {
        var alpha = await StartAsync("alpha", WithKey());
        var bravo = await StartAsync("bravo", WithKey());
        await WaitOnlineAsync(bravo, "alpha");
        using (var rest = bravo.Rest())
        {
            await rest.CreateSessionAsync(new CreateSessionRequest(alpha.ProjectPath, "Started once", "claude", Computer: "alpha"), Ct);
        }

        var original = (await _client.GetDatabase().StreamRangeAsync("messages:alpha")).Single(e => e["command"] == "start_session");
        await XAddAsync("messages:alpha", original.Values);
        await Eventually.ThatAsync(() => Task.FromResult(Counter(alpha, FleetCounters.DroppedReplayed) == 1), "alpha refuses the replayed request");

        await alpha.StopAsync();
        await alpha.StartAsync();
        await XAddAsync("messages:alpha", original.Values);
        // Within RequestMaxAge of the original it is refused as signed before this run began reading (or as a replay:
        // the restarted run learned the stream's recent nonces); later, as too old. Never executed.
        await Eventually.ThatAsync(() => Task.FromResult(Dropped(alpha) == 1), "the restarted alpha refuses it too");

        Assert.Multiple(async () =>
        {
            Assert.That((await SessionsOfAsync(alpha, "alpha")).Select(s => s.Title), Is.EqualTo(new[] { "Started once" }));
            Assert.That(Lines(alpha, 744).Single(), Does.StartWith("Dropped a replayed request from bravo on messages:alpha"));
            Assert.That(Lines(alpha, 743).Concat(Lines(alpha, 744)).ToArray(), Has.Length.EqualTo(2));
        });
    }

    [Test]
    public async Task CopiedSessionEvent_AddedWhileTheReceiverIsDown_IsRefusedAfterItRestarts_FromTheNoncesItRereads()
    {
        // Events are read late by design (after a restart, from the saved position), so only the nonces can tell a copy
        // of one already applied: the restarted receiver learns them from its stream's entries before the saved position.
        var alpha = await StartAsync("alpha", WithKey());
        var bravo = await StartAsync("bravo", WithKey());
        await WaitOnlineAsync(alpha, "bravo");
        var (hub, pushes) = await alpha.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        await Eventually.ThatAsync(() => Task.FromResult(bravo.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains("alpha")), "bravo sees alpha's interest");
        var created = await bravo.CreateSessionAsync("Created once");
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == created.SessionId);
        var original = (await _client.GetDatabase().StreamRangeAsync("session_events:alpha")).Last(e => e["event"] == SessionEventNames.NewSession);

        await alpha.StopAsync();
        await XAddAsync("session_events:alpha", original.Values);
        await alpha.StartAsync();

        await Eventually.ThatAsync(() => Task.FromResult(Counter(alpha, FleetCounters.DroppedReplayed) == 1), "the restarted alpha refuses the copy");
        Assert.That(Lines(alpha, 744).Single(), Does.StartWith("Dropped a replayed session event from bravo on session_events:alpha"));
    }

    [Test]
    public async Task DaemonsWithTheKey_PullPushAndActAcross_EveryEntrySigned_NothingDropped()
    {
        var alpha = await StartAsync("alpha", WithKey());
        var bravo = await StartAsync("bravo", WithKey());
        await WaitOnlineAsync(alpha, "bravo");
        var before = await bravo.CreateSessionAsync("Before the subscription");

        var (hub, pushes) = await alpha.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var state = await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        Assert.That(state.Sessions.Select(s => s.SessionId), Does.Contain(before.SessionId), "list_sessions request and answer, signed");

        await Eventually.ThatAsync(() => Task.FromResult(bravo.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains("alpha")), "bravo sees alpha's interest");
        var created = await bravo.CreateSessionAsync("Pushed while signed");
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == created.SessionId);
        using (var rest = alpha.Rest())
        {
            await rest.SendInputAsync(created.SessionId, "typed from alpha", Ct);
            await pushes.NextAsync<InputReceivedInfo>(nameof(ISessionsClient.InputReceived), i => i.Session.SessionId == created.SessionId);
            await rest.EndSessionAsync(created.SessionId, Ct);
            await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionTerminated), s => s.SessionId == created.SessionId);
        }

        var db = _client.GetDatabase();
        var written = (await db.StreamRangeAsync("messages:bravo")).Concat(await db.StreamRangeAsync("session_events:alpha")).ToList();
        foreach (var key in _client.GetServers().Single().Keys(pattern: "output:*"))
        {
            written.AddRange(await db.StreamRangeAsync(key));
        }

        Assert.Multiple(() =>
        {
            Assert.That(written, Has.Count.GreaterThan(5));
            Assert.That(written.Select(e => (string?)e.Values[^1].Name), Is.All.EqualTo("sig"), "requests, answers and events all carry the signature last");
            Assert.That((Dropped(alpha), Dropped(bravo)), Is.EqualTo((0L, 0L)));
            Assert.That(Counter(alpha, FleetCounters.Verified), Is.GreaterThan(3));
            Assert.That(Counter(bravo, FleetCounters.Verified), Is.GreaterThan(2));
        });
    }

    [Test]
    public async Task RemoteWatch_WithTheKey_ScreensAreSigned_AndAScreenAddedByRedisCliIsNeverShown()
    {
        var alpha = await StartAsync("alpha", WithKey());
        var bravo = await StartAsync("bravo", WithKey());
        await WaitOnlineAsync(alpha, "bravo");
        var session = await bravo.CreateSessionAsync("Watched while signed");
        var (hub, pushes) = await alpha.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        var state = await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        if (!state.Sessions.Any(s => s.SessionId == session.SessionId))
        {
            await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == session.SessionId);
        }

        await hub.Watch(session.SessionId);
        await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.Screen.Contains("test agent ready", StringComparison.Ordinal));

        // Someone who may write to Redis adds a well-formed but unsigned screen; then the agent's screen really changes.
        var stream = RedisKeys.Screen("bravo", session.SessionId);
        await XAddAsync(stream.ToString(), [new("session_id", session.SessionId), new("source", "bravo"), new("captured_at", DateTimeOffset.UtcNow.ToString("O")), new("screen", "FORGED: approve everything")]);
        await Eventually.ThatAsync(() => Task.FromResult(Counter(alpha, FleetCounters.DroppedUnsigned) >= 1), "alpha dropped the unsigned screen");
        using (var rest = alpha.Rest())
        {
            await rest.SendInputAsync(session.SessionId, "after the forgery", Ct);
        }

        await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.Screen.Contains("agent got: after the forgery", StringComparison.Ordinal));
        var entries = await _client.GetDatabase().StreamRangeAsync(stream);
        Assert.Multiple(() =>
        {
            Assert.That(pushes.Seen.Select(p => p.Payload).OfType<SessionOutput>().Where(o => o.Screen.Contains("FORGED", StringComparison.Ordinal)), Is.Empty, "the forged screen never reached the client");
            Assert.That(entries.Where(e => !e.Values.Any(v => ((string?)v.Value ?? "").Contains("FORGED", StringComparison.Ordinal))).Select(e => (string?)e.Values[^1].Name), Is.All.EqualTo("sig"), "bravo's screens carry the signature last");
            Assert.That(Counter(alpha, FleetCounters.DroppedUnsigned), Is.EqualTo(1));
            Assert.That(Counter(alpha, RedisCounters.MalformedScreens), Is.Zero);
        });
    }

    [Test]
    public async Task KeyFile_IsTheSameKeyAsTheSetting_AndOneReadableByOthers_IsUsedWithAWarning()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("tc-fleet-").FullName, "fleet.key");
        await File.WriteAllTextAsync(file, "# the fleet key\n" + Key + "\n", Ct);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        try
        {
            var alpha = await StartAsync("alpha", $"--TeleClaude:Redis:FleetKeyFile={file}");
            var bravo = await StartAsync("bravo", WithKey());
            await WaitOnlineAsync(alpha, "bravo");
            var onBravo = await bravo.CreateSessionAsync("Pulled by a daemon with the key file");

            var (hub, pushes) = await alpha.ConnectAsync();
            await hub.Subscribe(Views.Sessions);
            var state = await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));

            Assert.Multiple(() =>
            {
                Assert.That(state.Sessions.Select(s => s.SessionId), Does.Contain(onBravo.SessionId));
                Assert.That((Dropped(alpha), Dropped(bravo)), Is.EqualTo((0L, 0L)));
                Assert.That(alpha.Logs.WithEventId(747).Single().Message, Does.StartWith($"The fleet key file {file} is readable by other users of this computer"));
                Assert.That(alpha.Logs.Entries.Select(e => e.Message), Has.None.Contains(Key), "the key is never logged");
            });
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Test]
    public async Task KeyRotation_NewAndOldBesideOnlyOld_KeepsTalking_ThenBothOnTheNewKey()
    {
        // Step 1 of a rotation: alpha already holds the new key (and still the old one); bravo only the old one.
        var alpha = await StartAsync("alpha", [$"--TeleClaude:Redis:FleetKey={NewKey}", $"--TeleClaude:Redis:PreviousFleetKeys:0={Key}"]);
        var bravo = await StartAsync("bravo", WithKey(Key));
        await WaitOnlineAsync(alpha, "bravo");
        var onOldBravo = await bravo.CreateSessionAsync("While bravo has only the old key");
        var (hub, pushes) = await alpha.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        Assert.That((await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState))).Sessions.Select(s => s.SessionId), Does.Contain(onOldBravo.SessionId));
        await Eventually.ThatAsync(() => Task.FromResult(bravo.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains("alpha")), "bravo sees alpha's interest");
        var pushed = await bravo.CreateSessionAsync("Pushed with the old key");
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == pushed.SessionId);
        Assert.That((Dropped(alpha), Dropped(bravo)), Is.EqualTo((0L, 0L)), "step 1: no entry dropped on either side");

        // Step 2: bravo gets the new key (restarted with it alone).
        _daemons.Remove(bravo);
        await bravo.DisposeAsync();
        var newBravo = await StartAsync("bravo", WithKey(NewKey));
        await Eventually.ThatAsync(() => Task.FromResult(newBravo.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains("alpha")), "the new bravo sees alpha's interest");
        var onNewBravo = await newBravo.CreateSessionAsync("Pushed with the new key");
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == onNewBravo.SessionId);
        await hub.Refresh(Views.Sessions);
        var refreshed = await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), s => s.Sessions.Any(x => x.SessionId == onNewBravo.SessionId));

        Assert.Multiple(() =>
        {
            Assert.That(refreshed.Sessions.Where(s => s.Computer == "bravo").Select(s => s.SessionId), Does.Contain(onNewBravo.SessionId), "a pull answered under the new key");
            Assert.That((Dropped(alpha), Dropped(newBravo)), Is.EqualTo((0L, 0L)), "step 2: no entry dropped");
        });
    }

    [Test]
    public async Task PeerWithoutTheKeyOrWithAnother_IsRefused_WithOneClearLineOnEachSide()
    {
        var alpha = await StartAsync("alpha", WithKey());
        var bravo = await StartAsync("bravo", "--TeleClaude:Redis:ActionTimeout=00:00:02");
        var charlie = await StartAsync("charlie", [.. WithKey(OtherKey), "--TeleClaude:Redis:ActionTimeout=00:00:02"]);
        await WaitOnlineAsync(alpha, "bravo", "charlie");
        await WaitOnlineAsync(bravo, "alpha");
        await WaitOnlineAsync(charlie, "alpha");

        // alpha pulls both: bravo answers unsigned (alpha drops the answer), charlie drops alpha's request (another key).
        var (hub, pushes) = await alpha.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        // bravo (no key) and charlie (another key) ask alpha to start a session: alpha drops both requests, their callers time out.
        foreach (var peer in new[] { bravo, charlie })
        {
            using var rest = peer.Rest();
            Assert.That(
                async () => await rest.CreateSessionAsync(new CreateSessionRequest(alpha.ProjectPath, $"From {peer.Computer}", "claude", Computer: "alpha"), Ct),
                Throws.Exception);
        }

        await Eventually.ThatAsync(() => Task.FromResult(Lines(alpha, 740).Any(l => l.Contains("request from bravo", StringComparison.Ordinal))), "alpha reports bravo's unsigned request");
        await Eventually.ThatAsync(() => Task.FromResult(Lines(charlie, 741).Length > 0), "charlie reports alpha's entries signed with a key it does not hold");

        var alphaKey = FleetKeys.From(Key).Ids;
        var charlieKey = FleetKeys.From(OtherKey).Ids;
        Assert.Multiple(async () =>
        {
            Assert.That(Lines(alpha, 740), Has.Some.StartsWith("Dropped an unsigned response from bravo on output:"));
            Assert.That(Lines(alpha, 740), Has.Some.StartsWith("Dropped an unsigned request from bravo on messages:alpha"));
            Assert.That(Lines(alpha, 741), Has.Some.StartsWith("Dropped a request from charlie on messages:alpha").And.Some.Contains($"signed with key {charlieKey}, which this computer does not hold (it holds {alphaKey})"));
            Assert.That(Lines(bravo, 745).Single(), Does.StartWith("alpha signs what it writes to Redis with a fleet key, but this computer has none"));
            Assert.That(Lines(charlie, 741), Has.Some.StartsWith("Dropped a request from alpha on messages:charlie"));
            Assert.That(await SessionsOfAsync(alpha, "alpha"), Is.Empty);
        });
    }

    [TestCase("FleetKey=too-short-a-secret", "TeleClaude:Redis:FleetKey is 18 characters long; a fleet key needs at least 32", TestName = "KeyTooShort_StopsTheDaemon_WithExit2_AndOneLineNamingTheSetting")]
    [TestCase("FleetKeyFile=/nonexistent/fleet.key", "TeleClaude:Redis:FleetKeyFile '/nonexistent/fleet.key' cannot be read", TestName = "KeyFileMissing_StopsTheDaemon_WithExit2_AndOneLineNamingTheSetting")]
    public async Task BadKeySetting_StopsTheDaemon_WithExit2_AndOneLineNamingTheSetting(string setting, string expected)
    {
        var directory = Directory.CreateTempSubdirectory("tc-fleet-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "config.json"), "{}", Ct);
        using var error = new StringWriter();
        try
        {
            var exitCode = await DaemonRunner.RunAsync(
                [
                    "--config", Path.Combine(directory, "config.json"), "--socket", Path.Combine(directory, "d.sock"), "--db", Path.Combine(directory, "d.db"),
                    $"--TeleClaude:Redis:Configuration={_redis.Configuration}", $"--TeleClaude:Redis:{setting}",
                    $"--TeleClaude:Sessions:TmuxSocketName=tc-test-{Path.GetFileName(directory)}",
                ],
                error,
                b => b.Logging.SetMinimumLevel(LogLevel.None)).WaitAsync(Ct);

            Assert.That(exitCode, Is.EqualTo(ExitCodes.NeedsOperator));
            Assert.That(error.ToString(), Does.Contain(expected).And.Not.Contain("too-short-a-secret"));
            Assert.That(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2), "the heading and one line");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
