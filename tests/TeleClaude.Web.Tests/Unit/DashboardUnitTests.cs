using System.Security.Cryptography;
using System.Text;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Security;
using TeleClaude.Daemon.Web;

namespace TeleClaude.Web.Tests.Unit;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class DashboardUnitTests
{
    [Test]
    public void ContentSecurityPolicy_AllowsTheImportMapByItsHash_AndNoOtherInlineScript()
    {
        const string map = """{"imports":{"preact":"/web/vendor/preact.mjs"}}""";
        var policy = ContentSecurityPolicy.For($"""<head><script type="importmap">{map}</script><script>alert(1)</script></head>""");

        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(map)));
        Assert.That(policy, Does.Contain($"script-src 'self' 'sha256-{hash}';"));
        Assert.That(policy, Does.Not.Contain("unsafe-inline"));
        Assert.That(policy, Does.Contain("frame-ancestors 'none'").And.Contain("connect-src 'self'"));
    }

    [Test]
    public void ContentSecurityPolicy_OfTheShippedPage_NamesItsImportMap()
    {
        var assets = new DashboardAssets();
        Assert.That(assets.ContentSecurityPolicy, Does.Match("script-src 'self' 'sha256-[A-Za-z0-9+/=]{44}';"));
    }

    [TestCase("http://127.0.0.1:8765", "http://127.0.0.1:8765/")]
    [TestCase("http://localhost:9000", "http://localhost:9000/")]
    [TestCase("http://0.0.0.0:8765", "http://127.0.0.1:8765/")]
    public void WebCommand_DashboardUrl_IsTheTcpListenerReachedOnLoopback(string tcp, string expected)
    {
        Assert.That(WebCommand.DashboardUrl(new DaemonOptions { TcpUrl = tcp })?.ToString(), Is.EqualTo(expected));
    }

    [Test]
    public void WebCommand_DashboardUrl_IsNull_WithoutTcpListener()
    {
        Assert.That(WebCommand.DashboardUrl(new DaemonOptions { TcpUrl = null }), Is.Null);
    }

    [Test]
    public void WebCommand_LoginUrl_CarriesTheTokenEscaped()
    {
        var url = WebCommand.LoginUrl(new Uri("http://127.0.0.1:8765/"), "tc_a+b/c=");
        Assert.That(url, Is.EqualTo("http://127.0.0.1:8765/login?token=tc_a%2Bb%2Fc%3D"));
    }

    [Test]
    public void AccessTokenFile_Fingerprint_MatchesTheCurrentTokenOnly_AndNotAfterARotation()
    {
        var directory = Directory.CreateTempSubdirectory("tc-web-unit-");
        try
        {
            var tokens = new AccessTokenFile(Path.Combine(directory.FullName, "api-token"));
            var first = AccessTokenFile.FingerprintOf(tokens.GetOrCreate());

            Assert.That(tokens.IsCurrentFingerprint(first), Is.True);
            Assert.That(tokens.IsCurrentFingerprint(null), Is.False);
            Assert.That(tokens.IsCurrentFingerprint("not base64url!"), Is.False);
            Assert.That(tokens.IsCurrentFingerprint(AccessTokenFile.FingerprintOf("tc_some-other-token")), Is.False);

            tokens.Rotate();
            // The file's modification time is how a rotation is noticed; make sure it differs on coarse clocks.
            File.SetLastWriteTimeUtc(tokens.Path, DateTime.UtcNow.AddSeconds(5));
            Assert.That(tokens.IsCurrentFingerprint(first), Is.False);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public void DashboardCookie_Name_IsPerComputer()
    {
        Assert.That(DashboardCookie.CookieName("mbp"), Is.Not.EqualTo(DashboardCookie.CookieName("raspi")));
    }
}
