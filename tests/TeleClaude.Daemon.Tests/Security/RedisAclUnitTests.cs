using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Tests.Security;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class RedisAclUnitTests
{
    private static string RepositoryFile(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TeleClaude.sln")))
            {
                return Path.Combine(directory.FullName, name);
            }
        }

        throw new FileNotFoundException($"No TeleClaude.sln above {AppContext.BaseDirectory}.");
    }

    [Test]
    public void Readme_ShowsTheRuleTheTestsUse_Verbatim() =>
        Assert.That(File.ReadAllText(RepositoryFile("README.md")), Does.Contain(RedisAcl.MinimalRule),
            "README's Redis ACL section must show RedisAcl.MinimalRule exactly (change both together)");

    [Test]
    public void Rule_StartsFromNothing_AndGrantsNoCategoryOrAdminCommand()
    {
        var rules = RedisAcl.MinimalRule.Split(' ');

        Assert.That(rules.Take(4), Is.EqualTo(new[] { "on", "resetkeys", "resetchannels", "-@all" }));
        Assert.That(rules.Where(r => r.StartsWith("+@", StringComparison.Ordinal)), Is.Empty, "no whole category");
        Assert.That(rules, Has.None.EqualTo("~*").And.None.EqualTo("&*").And.None.EqualTo("allkeys").And.None.EqualTo("allchannels"));
        Assert.That(rules.Where(r => r.StartsWith("+config", StringComparison.Ordinal) || r.StartsWith("+acl|setuser", StringComparison.Ordinal) || r is "+flushall" or "+flushdb" or "+keys" or "+del"), Is.Empty);
    }
}
