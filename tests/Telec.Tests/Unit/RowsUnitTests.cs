using Microsoft.Extensions.Time.Testing;
using TeleClaude.Contracts;
using Telec.Model;

namespace Telec.Tests.Unit;

[TestFixture]
public sealed class RowsUnitTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Sessions_NestsComputerProjectSession_AndMarksOfflineComputers()
    {
        var clock = new FakeTimeProvider(T0);
        var model = new DashboardModel(clock);
        model.ApplySessionsState(new SessionsSnapshot(
            [Computer("alpha", ComputerStatus.Online, isLocal: true), Computer("beta", ComputerStatus.Offline)],
            [Session("s1", "alpha", "/p/one", "Write docs"), Session("s2", "beta", "/p/two", "Fix bug")],
            T0));
        clock.Advance(TimeSpan.FromSeconds(3));

        var rows = Rows.Sessions(model, new HashSet<string>(), clock.GetUtcNow(), 200);

        Assert.That(rows.Select(r => (r.Kind, r.Text.Trim().Split("  ")[0])), Is.EqualTo(new[]
        {
            (RowKind.Computer, "▾ alpha (local)"),
            (RowKind.Project, "▾ one"),
            (RowKind.Session, "Write docs"),
            (RowKind.Computer, "▾ beta (offline)"),
            (RowKind.Project, "▾ two"),
            (RowKind.Session, "Fix bug"),
        }));
    }

    [Test]
    public void Sessions_MarksChangedSessionForTwoSeconds()
    {
        var clock = new FakeTimeProvider(T0);
        var model = new DashboardModel(clock);
        model.ApplySessionsState(new SessionsSnapshot([Computer("alpha", ComputerStatus.Online, isLocal: true)], [], T0));
        model.UpsertSession(Session("s1", "alpha", "/p/one", "New"));

        var marked = Rows.Sessions(model, new HashSet<string>(), clock.GetUtcNow(), 200)[^1].Text;
        clock.Advance(TimeSpan.FromSeconds(2));
        var unmarked = Rows.Sessions(model, new HashSet<string>(), clock.GetUtcNow(), 200)[^1].Text;

        Assert.That(marked, Does.StartWith("*"));
        Assert.That(unmarked, Does.StartWith(" "));
    }

    [Test]
    public void Sessions_HidesChildren_OfCollapsedComputer()
    {
        var model = new DashboardModel(new FakeTimeProvider(T0));
        model.ApplySessionsState(new SessionsSnapshot(
            [Computer("alpha", ComputerStatus.Online, isLocal: true)], [Session("s1", "alpha", "/p/one", "A")], T0));

        var rows = Rows.Sessions(model, new HashSet<string> { RowKeys.Computer("alpha") }, T0, 200);

        Assert.That(rows, Has.Count.EqualTo(1));
        Assert.That(rows[0].Text, Does.Contain("▸ alpha (local)").And.Contain("1 session"));
    }

    [Test]
    public void Sessions_Filter_KeepsMatchingSessionsAndTheirParents_OnAnyField()
    {
        var model = new DashboardModel(new FakeTimeProvider(T0));
        model.ApplySessionsState(new SessionsSnapshot(
            [Computer("alpha", ComputerStatus.Online, isLocal: true), Computer("beta", ComputerStatus.Online)],
            [Session("s1", "alpha", "/p/one", "Write docs"), Session("s2", "beta", "/p/two", "Fix bug") with { Agent = "codex" }],
            T0));

        string[] Titles(string query) => [.. Rows.Sessions(model, new HashSet<string>(), T0, 200, new TreeFilter(query))
            .Where(r => r.Kind == RowKind.Session).Select(r => r.Text.Trim().Split("  ")[0])];

        Assert.That(Titles("docs"), Is.EqualTo(new[] { "Write docs" }), "title");
        Assert.That(Titles("CODEX"), Is.EqualTo(new[] { "Fix bug" }), "agent, case-insensitive");
        Assert.That(Titles("beta"), Is.EqualTo(new[] { "Fix bug" }), "computer");
        Assert.That(Titles("one"), Is.EqualTo(new[] { "Write docs" }), "project");
        Assert.That(Titles("fix docs"), Is.Empty, "every word must match");
        Assert.That(Rows.Sessions(model, new HashSet<string>(), T0, 200, new TreeFilter("docs")).Select(r => r.Kind),
            Is.EqualTo(new[] { RowKind.Computer, RowKind.Project, RowKind.Session }), "other computers and projects are hidden");
    }

    [Test]
    public void NeedsYou_ListsWaitingSessions_OldestFirst_WithTheirQuestion()
    {
        var clock = new FakeTimeProvider(T0);
        var model = new DashboardModel(clock);
        var choices = new[] { new AnswerChoice("1", "Yes", AnswerMeanings.Yes), new AnswerChoice("3", "No", AnswerMeanings.No) };
        model.ApplySessionsState(new SessionsSnapshot(
            [Computer("alpha", ComputerStatus.Online, isLocal: true), Computer("beta", ComputerStatus.Online)],
            [
                Session("s1", "alpha", "/p/one", "Recent") with { Status = SessionStatus.Waiting, Waiting = new WaitingInfo(WaitingKinds.Permission, "Bash: ls", T0.AddMinutes(-1), choices) },
                Session("s2", "beta", "/p/two", "Oldest") with { Status = SessionStatus.Waiting, Waiting = new WaitingInfo(WaitingKinds.Permission, "Edit: a.cs", T0.AddMinutes(-5), choices) },
                Session("s3", "alpha", "/p/one", "Busy"),
            ],
            T0));

        var rows = Rows.NeedsYou(model, T0, 200);

        Assert.That(rows.Select(r => r.SessionId), Is.EqualTo(new[] { "s2", "s1" }));
        Assert.That(rows[0].Text, Does.StartWith("!beta").And.Contain("waits 5m").And.Contain("asks: Edit: a.cs  [1 Yes · 3 No]"));
        Assert.That(rows.All(r => r.Waiting), Is.True);
    }

    [Test]
    public void Model_ReportsSessionsThatStartWaiting_OnceAndNotFromTheFullState()
    {
        var model = new DashboardModel(new FakeTimeProvider(T0));
        model.ApplySessionsState(new SessionsSnapshot(
            [Computer("alpha", ComputerStatus.Online, isLocal: true)],
            [Session("s1", "alpha", "/p", "Was waiting") with { Status = SessionStatus.Waiting }, Session("s2", "alpha", "/p", "Busy")],
            T0));

        var atStart = model.TakeStartedWaiting();
        model.UpsertSession(Session("s2", "alpha", "/p", "Busy") with { Status = SessionStatus.Waiting });
        model.UpsertSession(Session("s2", "alpha", "/p", "Busy") with { Status = SessionStatus.Waiting, LastOutput = "again" });
        var started = model.TakeStartedWaiting();

        Assert.That(atStart, Is.Empty);
        Assert.That(started.Select(s => s.SessionId), Is.EqualTo(new[] { "s2" }));
        Assert.That(model.Waiting.Select(s => s.SessionId), Is.EquivalentTo(new[] { "s1", "s2" }));
    }

    [Test]
    public void OneLine_FlattensAndTruncatesText()
    {
        Assert.That(Rows.OneLine("first\nsecond line that is long", 20), Is.EqualTo("first ⏎ second line…"));
        Assert.That(Rows.OneLine(null, 20), Is.Empty);
    }

    private static ComputerInfo Computer(string name, ComputerStatus status, bool isLocal = false) =>
        new(name, status, T0, "me", name + ".lan", null, isLocal);

    private static SessionInfo Session(string id, string computer, string path, string title) =>
        new(id, computer, title, path, SessionStatus.Active, "claude", T0, T0, null, null);
}
