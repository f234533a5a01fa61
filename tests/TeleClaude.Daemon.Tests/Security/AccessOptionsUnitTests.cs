using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Tests.Security;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class AccessOptionsUnitTests
{
    [Test]
    public void TokenPath_DefaultsToApiTokenBesideTheDatabase()
    {
        var access = new AccessOptions();

        SecurityExtensions.ApplyDefaults(access, new DaemonOptions { DatabasePath = "/home/me/.teleclaude/teleclaude.db" });

        Assert.That(access.TokenPath, Is.EqualTo("/home/me/.teleclaude/api-token"));
    }

    [Test]
    public void Validate_NamesEveryBadSetting()
    {
        var access = new AccessOptions
        {
            TokenPath = "relative/token",
            AllowedHosts = ["*", "host:8080", "fine.lan"],
            AllowedOrigins = ["http://ok.lan:3000", "evil.example", "http://x/path"],
        };

        var result = new AccessOptionsValidator().Validate(null, access);
        var all = string.Join("\n", result.Failures ?? []);

        Assert.That(result.Failed, Is.True);
        Assert.That(all, Does.Contain("TeleClaude:Access:TokenPath 'relative/token' must be an absolute path"));
        Assert.That(all, Does.Contain("TeleClaude:Access:AllowedHosts:0 '*'").And.Contain("DNS rebinding"));
        Assert.That(all, Does.Contain("TeleClaude:Access:AllowedHosts:1 'host:8080'"));
        Assert.That(all, Does.Not.Contain("fine.lan"));
        Assert.That(all, Does.Contain("TeleClaude:Access:AllowedOrigins:1 'evil.example'").And.Contain("TeleClaude:Access:AllowedOrigins:2 'http://x/path'"));
        Assert.That(all, Does.Not.Contain("ok.lan"));
    }

    [Test]
    public void TcpHostFiltering_AllowsLoopbackNames_TheListenerHost_AndConfiguredOnes_NeverEmptyHosts()
    {
        var options = SecurityExtensions.TcpHostFiltering(
            new DaemonOptions { TcpUrl = "http://127.0.0.2:8765" },
            new AccessOptions { AllowedHosts = ["teleclaude.lan"] });

        Assert.That(options.AllowedHosts, Is.EquivalentTo(new[] { "localhost", "127.0.0.1", "[::1]", "127.0.0.2", "teleclaude.lan" }));
        Assert.That(options.AllowEmptyHosts, Is.False);
    }
}
