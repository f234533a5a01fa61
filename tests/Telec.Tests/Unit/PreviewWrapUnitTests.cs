using Telec.Ui;

namespace Telec.Tests.Unit;

[TestFixture]
public sealed class PreviewWrapUnitTests
{
    [Test]
    public void Wrap_BreaksBetweenWords_AndIndentsWhatFollows()
    {
        var lines = PreviewPane.Wrap("(no live screen: Session 'a1' runs on beta; watching is not supported yet.)", 30);

        Assert.That(lines, Is.EqualTo(new[]
        {
            "(no live screen: Session 'a1'",
            "  runs on beta; watching is",
            "  not supported yet.)",
        }));
        Assert.That(lines, Has.All.Length.LessThanOrEqualTo(30));
    }

    [Test]
    public void Wrap_KeepsTheNotesIndent_AndCutsAWordLongerThanALine()
    {
        Assert.That(PreviewPane.Wrap("  answer: y Yes · n No", 80), Is.EqualTo(new[] { "  answer: y Yes · n No" }));
        Assert.That(PreviewPane.Wrap("x " + new string('a', 25), 10), Is.EqualTo(new[] { "x", "  aaaaaaaa", "  aaaaaaaa", "  aaaaaaaa", "  a" }));
        Assert.That(PreviewPane.Wrap("", 10), Is.EqualTo(new[] { "" }), "an empty note is a blank line");
    }

    [Test]
    public void ScreenLines_ShowsARunOfBlankLinesAsOne_SoAFullScreenAgentsLastMessageStaysInSight()
    {
        var screen = "⏺ All done: the file is there.\n" + string.Concat(Enumerable.Repeat("   \n", 30)) + "────\n❯ \n────\n  ? for shortcuts";

        Assert.That(PreviewPane.ScreenLines(screen), Is.EqualTo(new[] { "⏺ All done: the file is there.", "", "────", "❯", "────", "  ? for shortcuts" }));
    }
}
