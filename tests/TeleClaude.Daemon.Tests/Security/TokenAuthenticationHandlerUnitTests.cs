using Microsoft.AspNetCore.Http;
using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Tests.Security;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class TokenAuthenticationHandlerUnitTests
{
    private static HttpRequest Request(string method = "GET", string? authorization = null, string? query = null, string? upgrade = null, string? accept = null)
    {
        var request = new DefaultHttpContext().Request;
        request.Method = method;
        if (authorization is not null)
        {
            request.Headers.Authorization = authorization;
        }

        if (query is not null)
        {
            request.QueryString = new QueryString(query);
        }

        if (upgrade is not null)
        {
            request.Headers.Upgrade = upgrade;
        }

        if (accept is not null)
        {
            request.Headers.Accept = accept;
        }

        return request;
    }

    [Test]
    public void Presented_BearerHeader() =>
        Assert.That(TokenAuthenticationHandler.Presented(Request(authorization: "Bearer tc_abc ")), Is.EqualTo("tc_abc"));

    [Test]
    public void Presented_BearerHeader_SchemeIsCaseInsensitive() =>
        Assert.That(TokenAuthenticationHandler.Presented(Request(authorization: "bearer tc_abc")), Is.EqualTo("tc_abc"));

    [Test]
    public void Presented_OtherSchemes_AreNoToken() =>
        Assert.That(TokenAuthenticationHandler.Presented(Request(authorization: "Basic dXNlcjpwYXNz")), Is.Null);

    [Test]
    public void Presented_QueryToken_OnAWebSocketHandshake() =>
        Assert.That(TokenAuthenticationHandler.Presented(Request(query: "?id=1&access_token=tc_q", upgrade: "websocket")), Is.EqualTo("tc_q"));

    [Test]
    public void Presented_QueryToken_OnAnEventStream() =>
        Assert.That(TokenAuthenticationHandler.Presented(Request(query: "?access_token=tc_q", accept: "text/event-stream")), Is.EqualTo("tc_q"));

    [TestCase("GET", null, null)]
    [TestCase("POST", "websocket", null)]
    [TestCase("POST", null, "text/event-stream")]
    public void Presented_QueryToken_IsIgnoredOnOtherRequests(string method, string? upgrade, string? accept) =>
        Assert.That(TokenAuthenticationHandler.Presented(Request(method, query: "?access_token=tc_q", upgrade: upgrade, accept: accept)), Is.Null);

    [Test]
    public void Presented_TwoQueryTokens_AreNoToken() =>
        Assert.That(TokenAuthenticationHandler.Presented(Request(query: "?access_token=a&access_token=b", upgrade: "websocket")), Is.Null);
}
