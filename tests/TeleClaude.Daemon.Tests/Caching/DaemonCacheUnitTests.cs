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
internal sealed partial class DaemonCacheUnitTests
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
