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
