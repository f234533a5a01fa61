using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Tests.Security;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class AccessTokenFileUnitTests
{
    private string _directory = null!;

    private string TokenPath => Path.Combine(_directory, "data", "api-token");

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("tc-token-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void GetOrCreate_CreatesARandomOwnerOnlyToken_InAnOwnerOnlyDirectory_Once()
    {
        var tokens = new AccessTokenFile(TokenPath);

        var first = tokens.GetOrCreate();
        var second = new AccessTokenFile(TokenPath).GetOrCreate();

        Assert.That(first, Does.StartWith("tc_").And.Length.EqualTo(46));
        Assert.That(second, Is.EqualTo(first), "the token is kept, not replaced");
        Assert.That(first, Is.Not.EqualTo(new AccessTokenFile(Path.Combine(_directory, "other")).GetOrCreate()), "tokens are random");
        Assert.That(File.GetUnixFileMode(TokenPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(TokenPath)!), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
    }

    [Test]
    public void Matches_OnlyTheExactToken()
    {
        var tokens = new AccessTokenFile(TokenPath);
        var token = tokens.GetOrCreate();

        Assert.That(tokens.Matches(token), Is.True);
        Assert.That(tokens.Matches(token[..^1] + (token[^1] == 'A' ? 'B' : 'A')), Is.False);
        Assert.That(tokens.Matches(token + "x"), Is.False);
        Assert.That(tokens.Matches(token[..10]), Is.False);
        Assert.That(tokens.Matches(""), Is.False);
        Assert.That(tokens.Matches(token.ToUpperInvariant()), Is.False);
    }

    [Test]
    public void Rotate_ByAnotherInstance_AsTheCommandDoes_IsSeenAtTheNextCheck()
    {
        var daemon = new AccessTokenFile(TokenPath);
        var old = daemon.GetOrCreate();
        Assert.That(daemon.Matches(old), Is.True);

        var rotated = new AccessTokenFile(TokenPath).Rotate();

        Assert.That(rotated, Is.Not.EqualTo(old));
        Assert.That(daemon.Matches(old), Is.False, "the old token stops working at once");
        Assert.That(daemon.Matches(rotated), Is.True);
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(TokenPath)!), Has.Length.EqualTo(1), "no temp file left");
    }

    [Test]
    public void MissingOrShortTokenFile_MatchesNothing()
    {
        var tokens = new AccessTokenFile(TokenPath);
        Assert.That(tokens.Matches("anything-at-all-here"), Is.False, "no file: nothing matches");

        Directory.CreateDirectory(Path.GetDirectoryName(TokenPath)!);
        File.WriteAllText(TokenPath, "short\n");

        Assert.That(tokens.TryRead(), Is.Null);
        Assert.That(tokens.Matches("short"), Is.False, "a hand-written weak token is not accepted");
        Assert.Throws<IOException>(() => tokens.GetOrCreate(), "the daemon does not start on an unusable token file");
    }

    [Test]
    public void HandWrittenToken_OfEnoughLength_IsUsedAsIs()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(TokenPath)!);
        File.WriteAllText(TokenPath, "  my-own-long-enough-token  \n");
        var tokens = new AccessTokenFile(TokenPath);

        Assert.That(tokens.GetOrCreate(), Is.EqualTo("my-own-long-enough-token"));
        Assert.That(tokens.Matches("my-own-long-enough-token"), Is.True);
    }

    [Test]
    public void IsExposed_WhenGroupOrOthersMayRead_UntilRestricted()
    {
        var tokens = new AccessTokenFile(TokenPath);
        tokens.GetOrCreate();
        Assert.That(tokens.IsExposed(), Is.False);

        File.SetUnixFileMode(TokenPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.That(tokens.IsExposed(), Is.True);

        tokens.RestrictToOwner();
        Assert.That(tokens.IsExposed(), Is.False);
    }
}
