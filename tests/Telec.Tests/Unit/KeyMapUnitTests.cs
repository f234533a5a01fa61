using TeleClaude.Contracts;
using Telec.Model;

namespace Telec.Tests.Unit;

[TestFixture]
public sealed class KeyMapUnitTests
{
    private static readonly WaitingInfo Permission = new(
        WaitingKinds.Permission,
        "Bash: rm -rf build",
        DateTimeOffset.UnixEpoch,
        [new AnswerChoice("1", "Yes", AnswerMeanings.Yes), new AnswerChoice("2", "Yes, and don't ask again", AnswerMeanings.Always), new AnswerChoice("3", "No", AnswerMeanings.No)]);

    private static KeyContext Tree(RowKind? selected = RowKind.Session, WaitingInfo? waiting = null, TelecView view = TelecView.Sessions, bool filtering = false) =>
        new(view, TelecFocus.Tree, selected, waiting, filtering);

    [TestCase('1', "ShowSessions")]
    [TestCase('2', "ShowPreparation")]
    [TestCase('3', "ShowNeedsYou")]
    [TestCase('n', "NewSession")]
    [TestCase('m', "Message")]
    [TestCase('w', "JumpToWaiting")]
    [TestCase('/', "Find")]
    [TestCase('a', "AddProject")]
    [TestCase('x', "RemoveProject")]
    [TestCase('t', "ToggleTranscript")]
    [TestCase('q', "Quit")]
    [TestCase('y', "None")]
    public void Resolve_MapsCharacters_OnASessionThatDoesNotWait(char key, string expected) =>
        Assert.That(KeyMap.Resolve(Tree(), KeyInput.Of(key)), Is.EqualTo(Enum.Parse<TelecCommand>(expected)));

    [TestCase('y')]
    [TestCase('n')]
    [TestCase('1')]
    [TestCase('2')]
    [TestCase('3')]
    public void Resolve_AnswerKeysWin_OnAWaitingSession(char key) =>
        Assert.That(KeyMap.Resolve(Tree(waiting: Permission), KeyInput.Of(key)), Is.EqualTo(TelecCommand.Answer));

    [Test]
    public void Resolve_KeepsUsualMeaning_OfKeysThatAreNoChoice_OnAWaitingSession()
    {
        Assert.That(KeyMap.Resolve(Tree(waiting: Permission), KeyInput.Of('m')), Is.EqualTo(TelecCommand.Message));
        Assert.That(KeyMap.Resolve(Tree(RowKind.Project, Permission), KeyInput.Of('n')), Is.EqualTo(TelecCommand.NewSession), "only the selected session's question takes keys");
    }

    [Test]
    public void Resolve_TabMovesFocus_BetweenTreeAndPreview()
    {
        Assert.That(KeyMap.Resolve(Tree(), KeyInput.Of(SpecialKey.Tab)), Is.EqualTo(TelecCommand.FocusPreview));
        Assert.That(KeyMap.Resolve(Tree() with { Focus = TelecFocus.Preview }, KeyInput.Of(SpecialKey.Tab)), Is.EqualTo(TelecCommand.FocusTree));
        Assert.That(KeyMap.Resolve(Tree(view: TelecView.Preparation), KeyInput.Of(SpecialKey.Tab)), Is.EqualTo(TelecCommand.None), "the preparation view has no preview");
    }

    [TestCase("Up", "ScrollUp")]
    [TestCase("PageDown", "ScrollPageDown")]
    [TestCase("Home", "ScrollTop")]
    [TestCase("End", "ScrollBottom")]
    [TestCase("Escape", "FocusTree")]
    public void Resolve_ScrollsThePreview_WhenItHasFocus(string key, string expected) =>
        Assert.That(KeyMap.Resolve(Tree() with { Focus = TelecFocus.Preview }, KeyInput.Of(Enum.Parse<SpecialKey>(key))), Is.EqualTo(Enum.Parse<TelecCommand>(expected)));

    [Test]
    public void Resolve_LeavesMovementToTheTree_AndEscClearsOnlyAFilter()
    {
        Assert.That(KeyMap.Resolve(Tree(), KeyInput.Of(SpecialKey.PageDown)), Is.EqualTo(TelecCommand.None));
        Assert.That(KeyMap.Resolve(Tree(), KeyInput.Of(SpecialKey.Enter)), Is.EqualTo(TelecCommand.Activate));
        Assert.That(KeyMap.Resolve(Tree(filtering: true), KeyInput.Of(SpecialKey.Escape)), Is.EqualTo(TelecCommand.ClearFilter));
        Assert.That(KeyMap.Resolve(Tree(), KeyInput.Of(SpecialKey.Escape)), Is.EqualTo(TelecCommand.None));
    }

    [TestCase('y', "1")]
    [TestCase('n', "3")]
    [TestCase('2', "2")]
    public void AnswerKeys_MapsYesNoThroughMeanings_AndOwnKeysAsThey(char pressed, string sent) =>
        Assert.That(AnswerKeys.Resolve(Permission, pressed), Is.EqualTo(sent));

    [Test]
    public void AnswerKeys_AnswerNothing_WithoutChoices()
    {
        var freeText = Permission with { Kind = WaitingKinds.Question, Choices = [] };

        Assert.That(AnswerKeys.Resolve(freeText, 'y'), Is.Null);
        Assert.That(AnswerKeys.Answers(freeText, 'n'), Is.False, "n then starts a new session as usual");
        Assert.That(AnswerKeys.Hint(freeText), Does.Contain("m to reply"));
    }
}
