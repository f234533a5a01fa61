using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;

namespace TeleClaude.Daemon.Tests.Caching;

/// <summary>Remote sessions: replaced by pulls, merged from (partial) events, ended when gone.</summary>
internal sealed partial class DaemonCacheUnitTests
{
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
}
