using Microsoft.AspNetCore.Http;
using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Tests.Security;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class OriginCheckUnitTests
{
    private static readonly HashSet<string> Configured = ["http://dashboard.localhost:3000"];

    private static HttpRequest Request(string host, string? origin)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = HostString.FromUriComponent(host);
        if (origin is not null)
        {
            context.Request.Headers.Origin = origin;
        }

        return context.Request;
    }

    [TestCase("127.0.0.1:8765", null, ExpectedResult = true)]
    [TestCase("127.0.0.1:8765", "http://127.0.0.1:8765", ExpectedResult = true)]
    [TestCase("localhost:8765", "http://LocalHost:8765", ExpectedResult = true)]
    [TestCase("localhost", "http://localhost:80", ExpectedResult = true)]
    [TestCase("localhost:80", "http://localhost", ExpectedResult = true)]
    [TestCase("[::1]:8765", "http://[::1]:8765", ExpectedResult = true)]
    [TestCase("127.0.0.1:8765", "http://dashboard.localhost:3000", ExpectedResult = true)]
    [TestCase("127.0.0.1:8765", "http://evil.example", ExpectedResult = false)]
    [TestCase("127.0.0.1:8765", "http://127.0.0.1:8766", ExpectedResult = false)]
    [TestCase("127.0.0.1:8765", "https://127.0.0.1:8765", ExpectedResult = false)]
    [TestCase("127.0.0.1:8765", "http://localhost:8765", ExpectedResult = false)]
    [TestCase("127.0.0.1:8765", "null", ExpectedResult = false)]
    [TestCase("127.0.0.1:8765", "file://", ExpectedResult = false)]
    [TestCase("127.0.0.1:8765", "", ExpectedResult = true)]
    public bool IsAllowed_OwnOriginOrConfigured(string host, string? origin) => OriginCheck.IsAllowed(Request(host, origin), Configured, out _);

    [Test]
    public void IsAllowed_WhenRefused_SaysWhichOriginAndWhatIsAllowed()
    {
        OriginCheck.IsAllowed(Request("127.0.0.1:8765", "http://evil.example"), Configured, out var reason);

        Assert.That(reason, Does.Contain("'http://evil.example'").And.Contain("http://127.0.0.1:8765").And.Contain("TeleClaude:Access:AllowedOrigins"));
    }

    [TestCase("http://localhost:3000", "http://localhost:3000")]
    [TestCase("HTTP://Example.COM", "http://example.com:80")]
    [TestCase("https://example.com/", "https://example.com:443")]
    public void TryNormalize_Origins(string origin, string expected)
    {
        Assert.That(OriginCheck.TryNormalize(origin, out var normalized), Is.True);
        Assert.That(normalized, Is.EqualTo(expected));
    }

    [TestCase("null")]
    [TestCase("example.com")]
    [TestCase("ftp://example.com")]
    [TestCase("http://example.com/path")]
    [TestCase("http://user@example.com")]
    [TestCase("http://example.com?x=1")]
    [TestCase("")]
    public void TryNormalize_RefusesWhatIsNotAnOrigin(string origin) => Assert.That(OriginCheck.TryNormalize(origin, out _), Is.False);
}
