using System.Threading.Channels;
using Moq;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Tests.Caching;

/// <summary>Pulls: the TTL of each category, stale-while-refresh, coalescing, failures and timeouts, and the refresh of a view.</summary>
internal sealed partial class DaemonCacheUnitTests
{
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
}
