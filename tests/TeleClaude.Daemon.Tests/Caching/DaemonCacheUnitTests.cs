using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Computers;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Projects;
using TeleClaude.Daemon.Sessions;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Tests.Caching;

[TestFixture]
internal sealed class DaemonCacheUnitTests
{
    private const string Local = "local-pc";
    private const string Remote = "remote-a";
    private const string RemoteProject = "/srv/remote-a/alpha";
    private static readonly TimeSpan ComputerTtl = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RemoteProjectsTtl = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan TodosTtl = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);
    private static readonly string[] KeptSessionIds = ["keep", "change", "fresh"];
    private static readonly string[] OnlyS2 = ["s2"];

    private string _root = "";
    private FakeTimeProvider _time = null!;
    private IOptions<DaemonOptions> _daemonOptions = null!;
    private SessionStore _store = null!;
    private Mock<IRemoteDataSource> _remote = null!;
    private CacheChangeFeed _feed = null!;
    private ChannelReader<CacheChange> _changes = null!;
    private DaemonCache _cache = null!;
    private PendingCalls<IReadOnlyList<ProjectInfo>> _projectCalls = null!;
    private PendingCalls<IReadOnlyList<TodoInfo>> _todoCalls = null!;

    private static CancellationToken Ct => TestContext.CurrentContext.CancellationToken;

    [SetUp]
    public async Task SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "teleclaude-cache-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        _time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        _daemonOptions = Options.Create(new DaemonOptions
        {
            ComputerName = Local,
            DatabasePath = Path.Combine(_root, "teleclaude.db"),
            SocketPath = Path.Combine(_root, "teleclaude.sock"),
        });
        _store = new SessionStore(_daemonOptions, Options.Create(new SessionRunnerOptions()));
        await _store.MigrateAsync(CancellationToken.None);
        _remote = new Mock<IRemoteDataSource>(MockBehavior.Strict);
        _projectCalls = new PendingCalls<IReadOnlyList<ProjectInfo>>();
        _todoCalls = new PendingCalls<IReadOnlyList<TodoInfo>>();
        _feed = new CacheChangeFeed();
        _changes = _feed.Subscribe();
        _cache = CreateCache(new CacheOptions
        {
            ComputerTtl = ComputerTtl,
            RemoteProjectsTtl = RemoteProjectsTtl,
            TodosTtl = TodosTtl,
            PullTimeout = TimeSpan.FromDays(1),
        });
    }

    [TearDown]
    public void TearDown()
    {
        _cache.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    // ------------------------------------------------------------ computers

    [Test]
    public void UpsertComputer_GoesOfflineOnTime_WhenComputerTtlElapsesWithoutReads()
    {
        var heartbeat = Heartbeat(Remote);
        _cache.UpsertComputer(heartbeat);
        var online = Drain();

        _time.Advance(ComputerTtl - OneTick);
        var beforeExpiry = Drain();
        _time.Advance(OneTick);
        var atExpiry = Drain();

        Assert.Multiple(() =>
        {
            Assert.That(online, Is.EqualTo(new CacheChange[] { new ComputerChanged(heartbeat with { Status = ComputerStatus.Online, IsLocal = false }) }));
            Assert.That(beforeExpiry, Is.Empty);
            Assert.That(atExpiry, Is.EqualTo(new CacheChange[] { new ComputerChanged(heartbeat with { Status = ComputerStatus.Offline }) }));
            Assert.That(_cache.OnlineRemoteComputers(), Is.Empty);
            Assert.That(_cache.GetComputers().Single(c => c.Name == Remote).Status, Is.EqualTo(ComputerStatus.Offline));
        });
    }

    [Test]
    public void UpsertComputer_StaysOnline_WhileHeartbeatsArriveWithinComputerTtl()
    {
        _cache.UpsertComputer(Heartbeat(Remote));
        _time.Advance(ComputerTtl - TimeSpan.FromSeconds(10));
        _cache.UpsertComputer(Heartbeat(Remote));
        Drain();

        _time.Advance(ComputerTtl - OneTick);
        var beforeSecondExpiry = Drain();
        var onlineBeforeExpiry = _cache.OnlineRemoteComputers();
        _time.Advance(OneTick);
        var atSecondExpiry = Drain();

        Assert.Multiple(() =>
        {
            Assert.That(beforeSecondExpiry, Is.Empty);
            Assert.That(onlineBeforeExpiry, Is.EqualTo(new[] { Remote }));
            Assert.That(atSecondExpiry.Cast<ComputerChanged>().Select(c => (c.Computer.Name, c.Computer.Status)), Is.EqualTo(new[] { (Remote, ComputerStatus.Offline) }));
        });
    }

    [Test]
    public void UpsertComputer_BringsComputerBackOnline_WhenAHeartbeatArrivesAfterExpiry()
    {
        _cache.UpsertComputer(Heartbeat(Remote));
        _time.Advance(ComputerTtl);
        Drain();

        _cache.UpsertComputer(Heartbeat(Remote));
        var back = Drain();
        var onlineAgain = _cache.OnlineRemoteComputers();
        _time.Advance(ComputerTtl);
        var offlineAgain = Drain();

        Assert.Multiple(() =>
        {
            Assert.That(back.Cast<ComputerChanged>().Select(c => c.Computer.Status), Is.EqualTo(new[] { ComputerStatus.Online }));
            Assert.That(onlineAgain, Is.EqualTo(new[] { Remote }));
            Assert.That(offlineAgain.Cast<ComputerChanged>().Select(c => c.Computer.Status), Is.EqualTo(new[] { ComputerStatus.Offline }));
        });
    }

    [Test]
    public void UpsertComputer_IsIgnored_WhenTheHeartbeatIsThisComputers()
    {
        _cache.UpsertComputer(Heartbeat(Local));

        Assert.Multiple(() =>
        {
            Assert.That(Drain(), Is.Empty);
            Assert.That(_cache.GetComputers().Select(c => (c.Name, c.IsLocal)), Is.EqualTo(new[] { (Local, true) }));
        });
    }

    [Test]
    public void GetComputers_ListsLocalFirstThenRemotesByName_WhenSeveralAreKnown()
    {
        _cache.UpsertComputer(Heartbeat("zeta"));
        _cache.UpsertComputer(Heartbeat("alpha"));

        Assert.That(_cache.GetComputers().Select(c => c.Name), Is.EqualTo(new[] { Local, "alpha", "zeta" }));
    }

    // ------------------------------------------------------------ TTL per category

    [Test]
    [CancelAfter(10000)]
    public async Task Diagnostics_MarksEachCategoryStale_AfterItsOwnTtl()
    {
        SetupPendingFetches();
        _cache.UpsertComputer(Heartbeat(Remote));
        _cache.ReplaceRemoteSessions(Remote, [Session("s1")]);
        await LoadRemoteProjectsAsync([Project("alpha")]);
        await LoadTodosAsync([Todo("t1")]);

        var fresh = StaleByKey();
        _time.Advance(TodosTtl - OneTick);
        var justBeforeTodosTtl = StaleByKey();
        _time.Advance(OneTick);
        var atTodosTtl = StaleByKey();
        _time.Advance(RemoteProjectsTtl - TodosTtl);
        var atProjectsTtl = StaleByKey();
        var ttls = _cache.Diagnostics().ToDictionary(c => c.Category, c => c.Ttl);

        Assert.Multiple(() =>
        {
            Assert.That(ttls, Is.EquivalentTo(new Dictionary<string, TimeSpan?>
            {
                ["computers"] = ComputerTtl,
                ["remote_projects"] = RemoteProjectsTtl,
                ["remote_sessions"] = null,
                ["todos"] = TodosTtl,
            }));
            Assert.That(fresh.Values, Is.All.False);
            Assert.That(justBeforeTodosTtl, Is.EquivalentTo(new Dictionary<string, bool>
            {
                [DaemonCache.ComputerKey(Remote)] = true,
                [DaemonCache.RemoteProjectsKey(Remote)] = false,
                [DaemonCache.RemoteSessionsKey(Remote)] = false,
                [DaemonCache.TodosKey(Remote, RemoteProject)] = false,
            }));
            Assert.That(atTodosTtl[DaemonCache.TodosKey(Remote, RemoteProject)], Is.True);
            Assert.That(atTodosTtl[DaemonCache.RemoteProjectsKey(Remote)], Is.False);
            Assert.That(atProjectsTtl[DaemonCache.RemoteProjectsKey(Remote)], Is.True);
            Assert.That(atProjectsTtl[DaemonCache.RemoteSessionsKey(Remote)], Is.False);
        });
    }

    [Test]
    [CancelAfter(10000)]
    public async Task GetRemoteProjects_StartsAPull_OnlyOnceRemoteProjectsTtlElapsed()
    {
        SetupPendingFetches();
        await LoadRemoteProjectsAsync([Project("alpha")]);

        _time.Advance(RemoteProjectsTtl - OneTick);
        var pullsBeforeTtl = PullsStartedBy(() => _cache.GetRemoteProjects(Remote));
        _time.Advance(OneTick);
        var pullsAtTtl = PullsStartedBy(() => _cache.GetRemoteProjects(Remote));
        await _projectCalls.NextCallAsync(Ct);

        Assert.Multiple(() =>
        {
            Assert.That(pullsBeforeTtl, Is.Zero);
            Assert.That(pullsAtTtl, Is.EqualTo(1));
            Assert.That(_projectCalls.Count, Is.EqualTo(2));
        });
    }

    [Test]
    [CancelAfter(10000)]
    public async Task GetTodosAsync_StartsAPull_OnlyOnceTodosTtlElapsed()
    {
        SetupPendingFetches();
        await LoadRemoteProjectsAsync([Project("alpha")]);
        await LoadTodosAsync([Todo("t1")]);

        _time.Advance(TodosTtl - OneTick);
        var todoPullsBeforeTtl = PullsStartedBy(() => _cache.GetTodosAsync(Remote, RemoteProject, Ct));
        _time.Advance(OneTick);
        var projectPullsAtTodosTtl = PullsStartedBy(() => _cache.GetRemoteProjects(Remote));
        var todoPullsAtTtl = PullsStartedBy(() => _cache.GetTodosAsync(Remote, RemoteProject, Ct));
        await _todoCalls.NextCallAsync(Ct);

        Assert.Multiple(() =>
        {
            Assert.That(todoPullsBeforeTtl, Is.Zero);
            Assert.That(projectPullsAtTodosTtl, Is.Zero, "remote projects have their own, longer TTL");
            Assert.That(todoPullsAtTtl, Is.EqualTo(1));
            Assert.That(_todoCalls.Count, Is.EqualTo(2));
            Assert.That(_projectCalls.Count, Is.EqualTo(1));
        });
    }

    [Test]
    [CancelAfter(10000)]
    public async Task GetSessionsAsync_NeverPullsOrGoesStale_ForRemoteSessions()
    {
        _cache.ReplaceRemoteSessions(Remote, [Session("s1")]);

        _time.Advance(TimeSpan.FromHours(12));
        var sessions = await _cache.GetSessionsAsync(Ct);
        var entry = _cache.Diagnostics().Single(c => c.Category == "remote_sessions").Entries.Single();

        Assert.Multiple(() =>
        {
            Assert.That(sessions.Select(s => (s.SessionId, s.Computer)), Is.EqualTo(new[] { ("s1", Remote) }));
            Assert.That(entry.Stale, Is.False);
            Assert.That(entry.Age, Is.EqualTo(TimeSpan.FromHours(12)));
            Assert.That(_cache.RefreshCount, Is.Zero);
        });
        _remote.VerifyNoOtherCalls();
    }

    // ------------------------------------------------------------ stale-while-refresh, coalescing, failures

    [Test]
    [CancelAfter(10000)]
    public async Task GetRemoteProjects_ServesImmediately_WhileAPullIsPending()
    {
        SetupPendingFetches();

        var beforeFirstPull = _cache.GetRemoteProjects(Remote);
        var firstCall = await _projectCalls.NextCallAsync(Ct);
        var whileFirstPending = _cache.GetRemoteProjects(Remote);
        firstCall.SetResult([Project("alpha") with { Computer = "whatever-the-peer-said" }]);
        var firstChange = await NextChangeAsync();
        var afterFirstPull = _cache.GetRemoteProjects(Remote);

        _time.Advance(RemoteProjectsTtl);
        var staleServed = _cache.GetRemoteProjects(Remote);
        var secondCall = await _projectCalls.NextCallAsync(Ct);
        var whileSecondPending = _cache.GetRemoteProjects(Remote);
        secondCall.SetResult([Project("alpha"), Project("beta")]);
        await NextChangeAsync();
        var afterSecondPull = _cache.GetRemoteProjects(Remote);

        Assert.Multiple(() =>
        {
            Assert.That(beforeFirstPull, Is.Empty);
            Assert.That(whileFirstPending, Is.Empty);
            Assert.That(firstChange, Is.TypeOf<ProjectsChanged>());
            Assert.That(((ProjectsChanged)firstChange).Update.Computer, Is.EqualTo(Remote));
            Assert.That(afterFirstPull, Is.EqualTo(new[] { Project("alpha") }), "a pulled project belongs to the computer it was pulled from");
            Assert.That(staleServed, Is.EqualTo(new[] { Project("alpha") }));
            Assert.That(whileSecondPending, Is.EqualTo(new[] { Project("alpha") }));
            Assert.That(afterSecondPull, Is.EqualTo(new[] { Project("alpha"), Project("beta") }));
        });
        _remote.Verify(r => r.FetchProjectsAsync(Remote, It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Test]
    [CancelAfter(10000)]
    public async Task GetTodosAsync_ServesEmptyThenPulledValue_ForARemoteProject()
    {
        SetupPendingFetches();

        var first = await _cache.GetTodosAsync(Remote, RemoteProject, Ct);
        var call = await _todoCalls.NextCallAsync(Ct);
        call.SetResult([Todo("t1"), Todo("t2")]);
        var change = await NextChangeAsync();
        var second = await _cache.GetTodosAsync(Remote, RemoteProject, Ct);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.Empty);
            Assert.That(change, Is.EqualTo(new TodosChanged(new TodosUpdate(Remote, RemoteProject, second))));
            Assert.That(second, Is.EqualTo(new[] { Todo("t1"), Todo("t2") }));
        });
    }

    [Test]
    [CancelAfter(10000)]
    public async Task GetRemoteProjects_FetchesOnce_WhenManyReadersAskWhileAPullIsPending()
    {
        SetupPendingFetches();

        var reads = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => _cache.GetRemoteProjects(Remote), Ct)));
        var call = await _projectCalls.NextCallAsync(Ct);
        var moreReads = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => _cache.GetRemoteProjects(Remote), Ct)));
        call.SetResult([Project("alpha")]);
        await NextChangeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(reads, Is.All.Empty);
            Assert.That(moreReads, Is.All.Empty);
            Assert.That(_cache.RefreshCount, Is.EqualTo(1));
        });
        _remote.Verify(r => r.FetchProjectsAsync(Remote, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    [CancelAfter(10000)]
    public async Task GetTodosAsync_FetchesOnce_WhenManyReadersAskForAStaleEntry()
    {
        SetupPendingFetches();
        await LoadTodosAsync([Todo("old")]);
        _time.Advance(TodosTtl);

        var reads = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => _cache.GetTodosAsync(Remote, RemoteProject, Ct), Ct)));
        var call = await _todoCalls.NextCallAsync(Ct);
        var moreReads = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => _cache.GetTodosAsync(Remote, RemoteProject, Ct)));
        call.SetResult([Todo("new")]);
        await NextChangeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(reads.Concat(moreReads), Has.All.EqualTo(new[] { Todo("old") }));
            Assert.That(_todoCalls.Count, Is.EqualTo(2), "one initial pull and one coalesced re-pull");
        });
        _remote.Verify(r => r.FetchTodosAsync(Remote, RemoteProject, It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Test]
    [CancelAfter(10000)]
    public async Task GetRemoteProjects_KeepsTheOldValueAndRetries_WhenAPullFails()
    {
        SetupPendingFetches();
        await LoadRemoteProjectsAsync([Project("alpha")]);
        _time.Advance(RemoteProjectsTtl);

        _cache.GetRemoteProjects(Remote);
        var failing = await _projectCalls.NextCallAsync(Ct);
        failing.SetException(new InvalidOperationException("peer exploded"));
        var afterFailure = _cache.GetRemoteProjects(Remote);
        var changesAfterFailure = Drain();
        var retry = await _projectCalls.NextCallAsync(Ct);
        retry.SetResult([Project("beta")]);
        await NextChangeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(afterFailure, Is.EqualTo(new[] { Project("alpha") }));
            Assert.That(changesAfterFailure, Is.Empty);
            Assert.That(_cache.GetRemoteProjects(Remote), Is.EqualTo(new[] { Project("beta") }));
        });
    }

    [Test]
    [CancelAfter(10000)]
    public async Task GetTodosAsync_ReturnsEmptyWithoutThrowing_WhenTheFirstPullThrows()
    {
        var attempted = new TaskCompletionSource();
        _remote.Setup(r => r.FetchTodosAsync(Remote, RemoteProject, It.IsAny<CancellationToken>()))
            .Callback(() => attempted.TrySetResult())
            .ThrowsAsync(new IOException("connection reset"));

        var first = await _cache.GetTodosAsync(Remote, RemoteProject, Ct);
        await attempted.Task.WaitAsync(Ct);
        var second = await _cache.GetTodosAsync(Remote, RemoteProject, Ct);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.Empty);
            Assert.That(second, Is.Empty);
        });
    }

    [Test]
    [CancelAfter(10000)]
    public async Task GetRemoteProjects_AbandonsThePull_WhenPullTimeoutElapsesOnTheTimeProvider()
    {
        _cache.Dispose();
        _cache = CreateCache(new CacheOptions { RemoteProjectsTtl = RemoteProjectsTtl, PullTimeout = TimeSpan.FromSeconds(3) });
        var tokens = Channel.CreateUnbounded<CancellationToken>();
        _remote.Setup(r => r.FetchProjectsAsync(Remote, It.IsAny<CancellationToken>()))
            .Returns((string _, CancellationToken token) =>
            {
                tokens.Writer.TryWrite(token);
                var never = new TaskCompletionSource<IReadOnlyList<ProjectInfo>>();
                token.Register(() => never.TrySetCanceled(token));
                return never.Task;
            });

        _cache.GetRemoteProjects(Remote);
        var firstToken = await tokens.Reader.ReadAsync(Ct);
        _time.Advance(TimeSpan.FromSeconds(3) - OneTick);
        var cancelledEarly = firstToken.IsCancellationRequested;
        _time.Advance(OneTick);
        var cancelledOnTime = firstToken.IsCancellationRequested;
        var pullsAfterTimeout = PullsStartedBy(() => _cache.GetRemoteProjects(Remote));
        await tokens.Reader.ReadAsync(Ct);

        Assert.Multiple(() =>
        {
            Assert.That(cancelledEarly, Is.False);
            Assert.That(cancelledOnTime, Is.True);
            Assert.That(pullsAfterTimeout, Is.EqualTo(1), "the timed-out pull no longer blocks a new one");
            Assert.That(_cache.GetRemoteProjects(Remote), Is.Empty);
        });
    }

    // ------------------------------------------------------------ remote sessions

    [Test]
    [CancelAfter(10000)]
    public async Task ReplaceRemoteSessions_PublishesNewUpdatedAndTerminated_WhenTheListChanges()
    {
        _cache.ReplaceRemoteSessions(Remote, [Session("keep"), Session("change"), Session("gone")]);
        var initial = Drain();

        var changed = Session("change") with { Title = "renamed" };
        _cache.ReplaceRemoteSessions(Remote, [Session("keep"), changed, Session("fresh"), Session("dead") with { Status = SessionStatus.Terminated }]);
        var diff = Drain();
        var sessions = await _cache.GetSessionsAsync(Ct);

        Assert.Multiple(() =>
        {
            Assert.That(initial.Cast<SessionChanged>().Select(c => (c.EventName, c.Session.SessionId)), Is.EquivalentTo(new[]
            {
                (SessionEventNames.NewSession, "keep"),
                (SessionEventNames.NewSession, "change"),
                (SessionEventNames.NewSession, "gone"),
            }));
            Assert.That(diff, Is.EquivalentTo(new CacheChange[]
            {
                new SessionChanged(SessionEventNames.SessionUpdated, changed),
                new SessionChanged(SessionEventNames.NewSession, Session("fresh")),
                new SessionChanged(SessionEventNames.SessionTerminated, Session("gone") with { Status = SessionStatus.Terminated }),
            }));
            Assert.That(sessions.Select(s => s.SessionId), Is.EquivalentTo(KeptSessionIds));
        });
    }

    [Test]
    public void ReplaceRemoteSessions_StampsTheComputer_WhenThePeerReportsAnotherName()
    {
        _cache.ReplaceRemoteSessions(Remote, [Session("s1") with { Computer = "someone-else" }]);

        Assert.That(_cache.FindRemoteSession("s1")?.Computer, Is.EqualTo(Remote));
    }

    [Test]
    public void ReplaceRemoteSessions_PublishesNothing_WhenTheListIsUnchanged()
    {
        _cache.ReplaceRemoteSessions(Remote, [Session("s1"), Session("s2")]);
        Drain();

        _cache.ReplaceRemoteSessions(Remote, [Session("s2"), Session("s1")]);

        Assert.That(Drain(), Is.Empty);
    }

    [Test]
    [CancelAfter(10000)]
    public async Task ApplyRemoteSessionEvent_RemovesTheSession_WhenItIsTerminated()
    {
        _cache.ApplyRemoteSessionEvent(SessionEventNames.NewSession, Session("s1"));
        _cache.ApplyRemoteSessionEvent(SessionEventNames.NewSession, Session("s2"));
        var beforeTermination = _cache.FindRemoteSession("s1");

        _cache.ApplyRemoteSessionEvent(SessionEventNames.SessionTerminated, Session("s1") with { Status = SessionStatus.Terminated });
        var sessions = await _cache.GetSessionsAsync(Ct);

        Assert.Multiple(() =>
        {
            Assert.That(beforeTermination, Is.EqualTo(Session("s1")));
            Assert.That(_cache.FindRemoteSession("s1"), Is.Null);
            Assert.That(sessions.Select(s => s.SessionId), Is.EqualTo(OnlyS2));
            Assert.That(Drain().Cast<SessionChanged>().Select(c => c.EventName), Is.EqualTo(new[]
            {
                SessionEventNames.NewSession,
                SessionEventNames.NewSession,
                SessionEventNames.SessionTerminated,
            }));
        });
    }

    [Test]
    [CancelAfter(10000)]
    public async Task ApplyRemoteSessionEvent_IsHarmless_WhenEventsAreDuplicated()
    {
        var updated = Session("s1") with { LastOutput = "done" };
        var terminated = Session("s1") with { Status = SessionStatus.Terminated };

        _cache.ApplyRemoteSessionEvent(SessionEventNames.NewSession, Session("s1"));
        _cache.ApplyRemoteSessionEvent(SessionEventNames.NewSession, Session("s1"));
        _cache.ApplyRemoteSessionEvent(SessionEventNames.SessionUpdated, updated);
        _cache.ApplyRemoteSessionEvent(SessionEventNames.SessionUpdated, updated);
        var afterUpdates = await _cache.GetSessionsAsync(Ct);
        _cache.ApplyRemoteSessionEvent(SessionEventNames.SessionTerminated, terminated);
        Assert.DoesNotThrow(() => _cache.ApplyRemoteSessionEvent(SessionEventNames.SessionTerminated, terminated));
        var afterTermination = await _cache.GetSessionsAsync(Ct);

        Assert.Multiple(() =>
        {
            Assert.That(afterUpdates, Is.EqualTo(new[] { updated }));
            Assert.That(afterTermination, Is.Empty);
        });
    }

    [Test]
    [CancelAfter(10000)]
    public async Task ApplyRemoteSessionEvent_RemovesTheSession_WhenAnyEventCarriesTerminatedStatus()
    {
        _cache.ApplyRemoteSessionEvent(SessionEventNames.NewSession, Session("s1"));

        _cache.ApplyRemoteSessionEvent(SessionEventNames.SessionUpdated, Session("s1") with { Status = SessionStatus.Terminated });

        Assert.That(await _cache.GetSessionsAsync(Ct), Is.Empty);
    }

    private static SessionPatch Partial(string id, SessionFields present, SessionInfo values) =>
        new(values with { SessionId = id, Computer = Remote }, present);

    [Test]
    public void ApplyRemoteSessionEvent_MergesAPartialSession_OntoTheCachedOne()
    {
        _cache.ApplyRemoteSessionEvent(SessionEventNames.NewSession, Session("s1"));
        Drain();
        var values = new SessionInfo("s1", Remote, "renamed", null, SessionStatus.Idle, null, null, null, null, null);

        var merged = _cache.ApplyRemoteSessionEvent(SessionEventNames.SessionUpdated, Partial("s1", SessionFields.Title | SessionFields.Status | SessionFields.LastOutput, values));

        var expected = Session("s1") with { Title = "renamed", Status = SessionStatus.Idle, LastOutput = null };
        Assert.Multiple(() =>
        {
            Assert.That(merged, Is.EqualTo(expected), "fields not sent keep their value; last_output was sent as null");
            Assert.That(_cache.FindRemoteSession("s1"), Is.EqualTo(expected));
            Assert.That(Drain(), Is.EqualTo(new CacheChange[] { new SessionChanged(SessionEventNames.SessionUpdated, expected) }));
        });
    }

    [Test]
    public void ApplyRemoteSessionEvent_ShowsASessionFirstSeenPartial_WithTheUnsentFieldsUnknown()
    {
        var values = new SessionInfo("s9", Remote, "only a title", null, SessionStatus.Starting, null, null, null, null, null);

        _cache.ApplyRemoteSessionEvent(SessionEventNames.SessionUpdated, Partial("s9", SessionFields.Title, values));

        Assert.That(_cache.FindRemoteSession("s9"), Is.EqualTo(new SessionInfo("s9", Remote, "only a title", null, SessionStatus.Unknown, null, null, null, null, null)));
    }

    [Test]
    public void ApplyRemoteSessionEvent_EndsTheSession_WhenSessionTerminatedCarriesOnlyTheId_AndIgnoresUnknownEnds()
    {
        _cache.ApplyRemoteSessionEvent(SessionEventNames.NewSession, Session("s1"));
        Drain();
        var idOnly = Partial("s1", SessionFields.None, Session("s1"));

        var ended = _cache.ApplyRemoteSessionEvent(SessionEventNames.SessionTerminated, idOnly);
        var unknown = _cache.ApplyRemoteSessionEvent(SessionEventNames.SessionTerminated, Partial("never-seen", SessionFields.None, Session("x")));

        Assert.Multiple(() =>
        {
            Assert.That(ended, Is.EqualTo(Session("s1") with { Status = SessionStatus.Terminated }));
            Assert.That(unknown, Is.Null);
            Assert.That(_cache.FindRemoteSession("s1"), Is.Null);
            Assert.That(Drain(), Is.EqualTo(new CacheChange[] { new SessionChanged(SessionEventNames.SessionTerminated, ended!) }));
        });
    }

    [Test]
    public void ReplaceRemoteSessions_MergesPartialSessions_AndEndsTheUnlistedOnes()
    {
        _cache.ReplaceRemoteSessions(Remote, [Session("s1"), Session("s2")]);
        Drain();
        var values = new SessionInfo("s1", Remote, null, null, SessionStatus.Waiting, null, null, null, null, null);

        _cache.ReplaceRemoteSessions(Remote, [Partial("s1", SessionFields.Status, values)]);

        var expected = Session("s1") with { Status = SessionStatus.Waiting };
        Assert.Multiple(() =>
        {
            Assert.That(_cache.FindRemoteSession("s1"), Is.EqualTo(expected));
            Assert.That(Drain(), Is.EquivalentTo(new CacheChange[]
            {
                new SessionChanged(SessionEventNames.SessionUpdated, expected),
                new SessionChanged(SessionEventNames.SessionTerminated, Session("s2") with { Status = SessionStatus.Terminated }),
            }));
        });
    }

    // ------------------------------------------------------------ refresh

    [Test]
    [CancelAfter(10000)]
    public async Task RefreshAsync_RepullsProjectsThenTheirTodos_ForThePreparationView()
    {
        var calls = new List<string>();
        _remote.Setup(r => r.FetchProjectsAsync(Remote, It.IsAny<CancellationToken>()))
            .Callback(() => Record(calls, "projects"))
            .ReturnsAsync([Project("alpha"), Project("beta")]);
        _remote.Setup(r => r.FetchTodosAsync(Remote, It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Callback((string _, string path, CancellationToken _) => Record(calls, "todos " + path))
            .ReturnsAsync((string _, string path, CancellationToken _) => [Todo("for-" + Path.GetFileName(path))]);
        _cache.UpsertComputer(Heartbeat(Remote));

        await _cache.RefreshAsync(Views.Preparation).WaitAsync(Ct);
        var firstRound = Snapshot(calls);
        await _cache.RefreshAsync(Views.Preparation).WaitAsync(Ct);

        var projects = _cache.GetRemoteProjects(Remote);
        var todos = await _cache.GetTodosAsync(Remote, Project("beta").Path, Ct);
        Assert.Multiple(() =>
        {
            Assert.That(firstRound[0], Is.EqualTo("projects"));
            Assert.That(firstRound.Skip(1), Is.EquivalentTo(new[] { "todos " + Project("alpha").Path, "todos " + Project("beta").Path }));
            Assert.That(projects, Is.EqualTo(new[] { Project("alpha"), Project("beta") }));
            Assert.That(todos, Is.EqualTo(new[] { Todo("for-beta") }));
            Assert.That(Snapshot(calls), Has.Count.EqualTo(6), "a refresh re-pulls even fresh entries");
        });
        _remote.Verify(r => r.FetchProjectsAsync(Remote, It.IsAny<CancellationToken>()), Times.Exactly(2));
        _remote.Verify(r => r.FetchTodosAsync(Remote, Project("alpha").Path, It.IsAny<CancellationToken>()), Times.Exactly(2));
        _remote.Verify(r => r.FetchTodosAsync(Remote, Project("beta").Path, It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Test]
    [CancelAfter(10000)]
    public async Task RefreshAsync_RepullsSessions_ForTheSessionsView()
    {
        _remote.Setup(r => r.FetchSessionsAsync(Remote, It.IsAny<CancellationToken>()))
            .ReturnsAsync([SessionPatch.Full(Session("s1"))]);
        _cache.UpsertComputer(Heartbeat(Remote));
        Drain();

        await _cache.RefreshAsync(Views.Sessions).WaitAsync(Ct);

        Assert.Multiple(() =>
        {
            Assert.That(Drain(), Is.EqualTo(new CacheChange[] { new SessionChanged(SessionEventNames.NewSession, Session("s1")) }));
            Assert.That(_cache.FindRemoteSession("s1"), Is.EqualTo(Session("s1")));
        });
    }

    [Test]
    [CancelAfter(10000)]
    public async Task RefreshAsync_PullsNothing_WhenNoRemoteComputerIsOnline()
    {
        await _cache.RefreshAsync(Views.Preparation).WaitAsync(Ct);
        await _cache.RefreshAsync(Views.Sessions).WaitAsync(Ct);

        _remote.VerifyNoOtherCalls();
    }

    [Test]
    public void RefreshAsync_Throws_WhenTheViewIsUnknown()
    {
        var ex = Assert.Throws<ArgumentException>(() => _cache.RefreshAsync("dashboard"));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("view"));
            Assert.That(ex.Message, Does.Contain("dashboard").And.Contain(Views.Sessions).And.Contain(Views.Preparation));
        });
    }

    // ------------------------------------------------------------ helpers

    private DaemonCache CreateCache(CacheOptions options) => new(
        Options.Create(options),
        _time,
        _remote.Object,
        _store,
        new ProjectCatalog(_daemonOptions, NullLogger<ProjectCatalog>.Instance),
        new LocalComputer(_daemonOptions, _time),
        _feed,
        NullLogger<DaemonCache>.Instance);

    private void SetupPendingFetches()
    {
        _remote.Setup(r => r.FetchProjectsAsync(Remote, It.IsAny<CancellationToken>())).Returns(() => _projectCalls.Next());
        _remote.Setup(r => r.FetchTodosAsync(Remote, RemoteProject, It.IsAny<CancellationToken>())).Returns(() => _todoCalls.Next());
    }

    /// <summary>Loads the remote projects entry through one completed pull.</summary>
    private async Task LoadRemoteProjectsAsync(IReadOnlyList<ProjectInfo> projects)
    {
        _cache.GetRemoteProjects(Remote);
        (await _projectCalls.NextCallAsync(Ct)).SetResult(projects);
        await NextChangeOfTypeAsync<ProjectsChanged>();
    }

    /// <summary>Loads the todos entry of <see cref="RemoteProject"/> through one completed pull.</summary>
    private async Task LoadTodosAsync(IReadOnlyList<TodoInfo> todos)
    {
        await _cache.GetTodosAsync(Remote, RemoteProject, Ct);
        (await _todoCalls.NextCallAsync(Ct)).SetResult(todos);
        await NextChangeOfTypeAsync<TodosChanged>();
    }

    private Dictionary<string, bool> StaleByKey() =>
        _cache.Diagnostics().SelectMany(c => c.Entries).ToDictionary(e => e.Key, e => e.Stale, StringComparer.Ordinal);

    private List<CacheChange> Drain()
    {
        var changes = new List<CacheChange>();
        while (_changes.TryRead(out var change))
        {
            changes.Add(change);
        }

        return changes;
    }

    private async Task<CacheChange> NextChangeAsync() => await _changes.ReadAsync(Ct);

    private async Task<T> NextChangeOfTypeAsync<T>() where T : CacheChange
    {
        while (true)
        {
            if (await _changes.ReadAsync(Ct) is T change)
            {
                return change;
            }
        }
    }

    private static void Record(List<string> calls, string call)
    {
        lock (calls)
        {
            calls.Add(call);
        }
    }

    private static List<string> Snapshot(List<string> calls)
    {
        lock (calls)
        {
            return [.. calls];
        }
    }

    /// <summary>
    /// How many background pulls <paramref name="read"/> started. A pull never runs on the reader's
    /// thread: it yields first, which posts to the current SynchronizationContext before the read returns.
    /// Counting those posts tells synchronously whether a read started a pull or joined/skipped one.
    /// </summary>
    private static int PullsStartedBy(Action read)
    {
        var previous = SynchronizationContext.Current;
        var counting = new PostCountingContext();
        SynchronizationContext.SetSynchronizationContext(counting);
        try
        {
            read();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        return counting.Posts;
    }

    private static ComputerInfo Heartbeat(string name) =>
        new(name, ComputerStatus.Online, new DateTimeOffset(2025, 6, 1, 11, 59, 0, TimeSpan.Zero), "user", name + ".lan", new SystemStats(1, 2, 3), IsLocal: false);

    private static ProjectInfo Project(string name) => new(name, "project " + name, "/srv/remote-a/" + name, Remote);

    private static TodoInfo Todo(string slug) => new(slug, TodoStatus.Pending, "", false, false);

    private static SessionInfo Session(string id) => new(
        id,
        Remote,
        "title " + id,
        RemoteProject,
        SessionStatus.Active,
        "claude",
        new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2025, 6, 1, 11, 0, 0, TimeSpan.Zero),
        null,
        null);

    /// <summary>Fetch calls that stay pending until the test completes them, in call order.</summary>
    private sealed class PendingCalls<T>
    {
        private readonly Channel<TaskCompletionSource<T>> _calls = Channel.CreateUnbounded<TaskCompletionSource<T>>();
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task<T> Next()
        {
            // Synchronous continuations: completing a call runs the rest of the pull inline, so it is over when SetResult returns.
            var call = new TaskCompletionSource<T>();
            Interlocked.Increment(ref _count);
            _calls.Writer.TryWrite(call);
            return call.Task;
        }

        public async Task<TaskCompletionSource<T>> NextCallAsync(CancellationToken cancellationToken) =>
            await _calls.Reader.ReadAsync(cancellationToken);
    }

    private sealed class PostCountingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.d(s.state), (d, state), preferLocal: false);
        }
    }
}
