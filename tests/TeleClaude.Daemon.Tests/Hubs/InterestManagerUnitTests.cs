using TeleClaude.Contracts;
using TeleClaude.Daemon.Hubs;

namespace TeleClaude.Daemon.Tests.Hubs;

[TestFixture]
internal sealed class InterestManagerUnitTests
{
    private InterestManager _interest = null!;
    private List<string[]> _changes = null!;

    [SetUp]
    public void SetUp()
    {
        _interest = new InterestManager();
        _changes = [];
        _interest.InterestChanged += views => _changes.Add(views.ToArray());
    }

    [Test]
    public void InterestedIn_IsEmpty_WhenNobodySubscribed()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_interest.InterestedIn, Is.Empty);
            Assert.That(_interest.IsInterested(Views.Sessions), Is.False);
            Assert.That(_interest.SubscriberCounts, Is.EquivalentTo(new Dictionary<string, int> { [Views.Sessions] = 0, [Views.Preparation] = 0 }));
        });
    }

    [Test]
    public void Add_MakesTheViewOfInterestAndRaisesChanged_OnFirstSubscribe()
    {
        var first = _interest.Add("c1", Views.Sessions);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.True);
            Assert.That(_interest.InterestedIn, Is.EqualTo(new[] { Views.Sessions }));
            Assert.That(_interest.IsInterested(Views.Sessions), Is.True);
            Assert.That(_interest.IsInterested(Views.Preparation), Is.False);
            Assert.That(_changes, Is.EqualTo(new[] { new[] { Views.Sessions } }));
        });
    }

    [Test]
    public void Add_DoesNotRaiseChanged_WhenTheSetOfViewsStaysTheSame()
    {
        _interest.Add("c1", Views.Sessions);

        var secondView = _interest.Add("c1", Views.Sessions);
        var otherConnection = _interest.Add("c2", Views.Sessions);

        Assert.Multiple(() =>
        {
            Assert.That(secondView, Is.False);
            Assert.That(otherConnection, Is.True);
            Assert.That(_changes, Has.Count.EqualTo(1));
            Assert.That(_interest.SubscriberCounts[Views.Sessions], Is.EqualTo(2));
        });
    }

    [Test]
    public void Add_ReportsViewsInViewsAllOrder_WhenSubscribedInReverse()
    {
        _interest.Add("c1", Views.Preparation);
        _interest.Add("c1", Views.Sessions);

        Assert.Multiple(() =>
        {
            Assert.That(_interest.InterestedIn, Is.EqualTo(new[] { Views.Sessions, Views.Preparation }));
            Assert.That(_changes, Is.EqualTo(new[] { new[] { Views.Preparation }, new[] { Views.Sessions, Views.Preparation } }));
        });
    }

    [Test]
    public void Remove_ClearsInterestAndReportsLastView_WhenTheOnlySubscriberLeaves()
    {
        _interest.Add("c1", Views.Sessions);

        var last = _interest.Remove("c1", Views.Sessions);

        Assert.Multiple(() =>
        {
            Assert.That(last, Is.True);
            Assert.That(_interest.InterestedIn, Is.Empty);
            Assert.That(_changes, Is.EqualTo(new[] { new[] { Views.Sessions }, Array.Empty<string>() }));
        });
    }

    [Test]
    public void Remove_DoesNothing_WhenTheConnectionDidNotSubscribeTheView()
    {
        _interest.Add("c1", Views.Sessions);

        var last = _interest.Remove("c1", Views.Preparation);
        var unknown = _interest.Remove("nobody", Views.Sessions);

        Assert.Multiple(() =>
        {
            Assert.That(last, Is.False);
            Assert.That(unknown, Is.False);
            Assert.That(_interest.InterestedIn, Is.EqualTo(new[] { Views.Sessions }));
            Assert.That(_changes, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void RemoveConnection_ClearsAllItsInterest_WhenItWasTheOnlySubscriber()
    {
        _interest.Add("c1", Views.Sessions);
        _interest.Add("c1", Views.Preparation);
        _changes.Clear();

        _interest.RemoveConnection("c1");

        Assert.Multiple(() =>
        {
            Assert.That(_interest.InterestedIn, Is.Empty);
            Assert.That(_interest.SubscriberCounts.Values, Is.All.EqualTo(0));
            Assert.That(_changes, Is.EqualTo(new[] { Array.Empty<string>() }));
        });
    }

    [Test]
    public void RemoveConnection_DoesNotRaiseChanged_WhenTheConnectionIsUnknown()
    {
        _interest.RemoveConnection("nobody");

        Assert.That(_changes, Is.Empty);
    }

    [Test]
    public void RemoveConnection_KeepsInterest_UntilBothConnectionsAreGone()
    {
        _interest.Add("c1", Views.Sessions);
        _interest.Add("c2", Views.Sessions);

        _interest.RemoveConnection("c1");
        var afterFirst = _interest.InterestedIn;
        var changesAfterFirst = _changes.Count;
        _interest.RemoveConnection("c2");

        Assert.Multiple(() =>
        {
            Assert.That(afterFirst, Is.EqualTo(new[] { Views.Sessions }));
            Assert.That(changesAfterFirst, Is.EqualTo(1));
            Assert.That(_interest.InterestedIn, Is.Empty);
            Assert.That(_changes, Is.EqualTo(new[] { new[] { Views.Sessions }, Array.Empty<string>() }));
        });
    }

    [Test]
    public void Add_AfterRemoveConnection_StartsAFreshConnection()
    {
        _interest.Add("c1", Views.Sessions);
        _interest.RemoveConnection("c1");

        var first = _interest.Add("c1", Views.Preparation);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.True);
            Assert.That(_interest.InterestedIn, Is.EqualTo(new[] { Views.Preparation }));
        });
    }
}
