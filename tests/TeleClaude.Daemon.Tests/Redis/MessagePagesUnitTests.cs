using TeleClaude.Contracts;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>A page of a conversation sent over Redis stays bounded in size and still pages forward.</summary>
[TestFixture]
[CancelAfter(10_000)]
internal sealed class MessagePagesUnitTests
{
    private static SessionMessage Message(int i, int length) => new($"{i * 100}:0", "assistant", new string((char)('a' + (i % 26)), length), null);

    [Test]
    public void Bound_LeavesASmallPageAsItIs()
    {
        var page = new SessionMessages("s1", "transcript", [Message(0, 10), Message(1, 10)], "100:0");

        Assert.That(MessagePages.Bound(page, "bravo"), Is.SameAs(page));
    }

    [Test]
    public void Bound_EndsThePageEarly_WithTheNextCursorAtItsLastMessage_WhenTheTextWouldPassTheBound()
    {
        var third = MessagePages.MaxChars / 3;
        var page = new SessionMessages("s1", "transcript", [Message(0, third), Message(1, third), Message(2, third), Message(3, third)], null);

        var bounded = MessagePages.Bound(page, "bravo");

        Assert.That(bounded.Messages, Is.EqualTo(page.Messages.Take(3)));
        Assert.That(bounded.NextCursor, Is.EqualTo("200:0"), "reading on from here gets the fourth message");
        Assert.That(bounded.Messages.Sum(m => m.Text.Length), Is.LessThanOrEqualTo(MessagePages.MaxChars));
    }

    [Test]
    public void Bound_CutsAMessageLongerThanTheBound_AndSaysWhereTheWholeOneIs()
    {
        var page = new SessionMessages("s1", "transcript", [Message(0, MessagePages.MaxChars * 3), Message(1, 10)], null);

        var bounded = MessagePages.Bound(page, "bravo");

        Assert.That(bounded.Messages, Has.Count.EqualTo(1));
        Assert.That(bounded.Messages[0].Text, Does.StartWith(new string('a', 100)).And.EndWith("the whole message is on bravo]"));
        Assert.That(bounded.Messages[0].Text.Length, Is.LessThan(MessagePages.MaxChars + 200));
        Assert.That(bounded.NextCursor, Is.EqualTo("0:0"));
    }
}
