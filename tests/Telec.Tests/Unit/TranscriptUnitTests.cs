using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using TeleClaude.Contracts;
using Telec.Ui;

namespace Telec.Tests.Unit;

/// <summary>
/// The preview's transcript against a fake transcript (a list the test appends to, read forward by cursor) and a fake
/// clock: it reads on pushes, and when an idle session reports a last message the file does not hold yet (Claude Code
/// writes it after its Stop hook), it reads again a few times, at growing intervals, until it is there.
/// </summary>
[TestFixture]
public sealed class TranscriptUnitTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 6, 0, 0, TimeSpan.Zero);

    private readonly List<SessionMessage> _file = [];
    private readonly Channel<Action> _posted = Channel.CreateUnbounded<Action>();
    private FakeTimeProvider _time = null!;
    private int _reads;

    [SetUp]
    public void SetUp()
    {
        _file.Clear();
        _reads = 0;
        _time = new FakeTimeProvider(T0);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task IdleWithALastMessageNotWrittenYet_ReadsAgainUntilItIsThere_ThenStops(CancellationToken cancellationToken)
    {
        var transcript = Create();
        Append("user", "please create the marker file");
        Append("tool", "Bash: touch made-by-claude.txt");
        transcript.Select(Session(SessionStatus.Active, T0));
        await RunPostedAsync(cancellationToken);
        Assert.That(Text(transcript), Does.Contain("you: please create the marker file").And.Contain("tool: Bash: touch made-by-claude.txt"));

        // The Stop hook's push: idle with the last message, which the file does not hold yet.
        transcript.OnSessionChanged(Session(SessionStatus.Idle, T0.AddSeconds(5), "All done."));
        await RunPostedAsync(cancellationToken);
        Assert.That(Text(transcript), Does.Not.Contain("All done."));
        var readsBefore = _reads;

        // Written a moment later; no push follows. The next settle read (after 250 ms) finds it.
        Append("assistant", "All done.");
        _time.Advance(TimeSpan.FromMilliseconds(250));
        await RunSettleReadAsync(cancellationToken);

        Assert.That(Text(transcript), Does.Contain("agent: All done."));
        Assert.That(_reads, Is.EqualTo(readsBefore + 1));

        // Found: no more reads, however long nothing happens.
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.That(_posted.Reader.TryRead(out _), Is.False);
        Assert.That(_reads, Is.EqualTo(readsBefore + 1));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ALastMessageThatNeverComes_CostsAtMostFiveMoreReads_WithinEightSeconds(CancellationToken cancellationToken)
    {
        var transcript = Create();
        Append("user", "hi");
        transcript.Select(Session(SessionStatus.Idle, T0, "a message the transcript never gets"));
        await RunPostedAsync(cancellationToken);
        var first = _reads;

        foreach (var delay in new[] { 250, 500, 1000, 2000, 4000 })
        {
            _time.Advance(TimeSpan.FromMilliseconds(delay));
            await RunSettleReadAsync(cancellationToken);
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Multiple(() =>
        {
            Assert.That(_reads - first, Is.EqualTo(5));
            Assert.That(_posted.Reader.TryRead(out _), Is.False, "nothing more is scheduled");
            Assert.That(Text(transcript), Does.Contain("you: hi"));
        });
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task APushWithoutNews_ReadsNothing(CancellationToken cancellationToken)
    {
        var transcript = Create();
        Append("user", "hi");
        Append("assistant", "hello");
        var idle = Session(SessionStatus.Idle, T0, "hello");
        transcript.Select(idle);
        await RunPostedAsync(cancellationToken);

        transcript.OnSessionChanged(idle);
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Multiple(() =>
        {
            Assert.That(_reads, Is.EqualTo(1), "the last message is there and nothing changed: no read");
            Assert.That(_posted.Reader.TryRead(out _), Is.False);
        });
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ARemoteSessionsTranscriptTheDaemonCannotRead_GivesTheDaemonsReason_AndNoRetries(CancellationToken cancellationToken)
    {
        const string Reason = "The session runs on beta, and reading its transcript over Redis is not supported by this daemon yet.";
        var transcript = new Transcript(
            (_, _, _) =>
            {
                Interlocked.Increment(ref _reads);
                throw new TeleClaude.Client.TeleClaudeApiException(System.Net.HttpStatusCode.NotImplemented, Reason, "{}");
            },
            action => _posted.Writer.TryWrite(action),
            () => { },
            _time);

        transcript.Select(Session(SessionStatus.Idle, T0, "a last message") with { Computer = "beta" });
        await RunPostedAsync(cancellationToken);
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Multiple(() =>
        {
            Assert.That(transcript.Problem, Is.EqualTo(Reason), "the window shows it as a note above the pane");
            Assert.That(transcript.Lines("s1"), Is.Empty, "no \"(no messages yet)\" under the reason");
            Assert.That(_reads, Is.EqualTo(1), "a refusal is not retried");
            Assert.That(_posted.Reader.TryRead(out _), Is.False);
        });
    }

    private Transcript Create() =>
        new(
            (_, since, limit) =>
            {
                Interlocked.Increment(ref _reads);
                var from = since is null ? 0 : int.Parse(since, CultureInfo.InvariantCulture) + 1;
                lock (_file)
                {
                    var page = _file.Skip(from).Take(limit).ToList();
                    return Task.FromResult(new SessionMessages("s1", "transcript", page, null));
                }
            },
            action => _posted.Writer.TryWrite(action),
            () => { },
            _time);

    /// <summary>Runs the one action a read posts back (the UI thread's part), waiting for it.</summary>
    private async Task RunPostedAsync(CancellationToken cancellationToken) =>
        (await _posted.Reader.ReadAsync(cancellationToken))();

    /// <summary>A settle read: the timer posts the read, which posts its result.</summary>
    private async Task RunSettleReadAsync(CancellationToken cancellationToken)
    {
        await RunPostedAsync(cancellationToken);
        await RunPostedAsync(cancellationToken);
    }

    private void Append(string role, string text)
    {
        lock (_file)
        {
            _file.Add(new SessionMessage(_file.Count.ToString(CultureInfo.InvariantCulture), role, text, T0));
        }
    }

    private static string Text(Transcript transcript) => string.Join('\n', transcript.Lines("s1"));

    private static SessionInfo Session(SessionStatus status, DateTimeOffset activity, string? lastMessage = null) =>
        new("s1", "alpha", "Real Claude", "/p", status, "claude", T0, activity, null, null, LastMessage: lastMessage, HasTranscript: true);
}
