using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.SignalR.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Security;
using TeleClaude.Web.Tests.Infrastructure;

namespace TeleClaude.Web.Tests.Security;

/// <summary>
/// The dashboard's sign-in over plain HTTP against the real daemon's TCP listener: the token is exchanged for an HttpOnly,
/// SameSite=Strict cookie that opens REST and the hub from the daemon's own origin only, and that a rotated token voids.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
internal sealed class DashboardLoginIntegrationTests
{
    private WebDaemon _web = null!;

    private string CookieName => DashboardCookie.CookieName(_web.Daemon.Computer);

    private string SelfOrigin => $"http://127.0.0.1:{_web.Port}";

    [SetUp]
    public async Task StartAsync() => _web = await WebDaemon.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _web.DisposeAsync();

    private HttpClient Http() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _web.BaseUrl };

    /// <summary>Signs in with the login link; the cookie as a browser would send it back (<c>name=value</c>).</summary>
    private async Task<string> SignInAsync(CancellationToken cancellationToken)
    {
        using var http = Http();
        using var login = await http.GetAsync(new Uri(_web.LoginUrl), cancellationToken);
        var setCookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(CookieName + "=", StringComparison.Ordinal));
        return setCookie.Split(';')[0];
    }

    private static HttpRequestMessage WithCookie(HttpMethod method, string path, string cookie, string? origin = null, string? site = "same-origin")
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookie);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (site is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", site);
        }

        return request;
    }

    [Test]
    public async Task LoginLink_WithTheToken_SetsAnHttpOnlyStrictCookie_WithoutTheToken_AndRedirectsToTheDashboard(CancellationToken cancellationToken)
    {
        using var http = Http();
        using var login = await http.GetAsync(new Uri(_web.LoginUrl), cancellationToken);

        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(login.Headers.Location?.ToString(), Is.EqualTo("/"), "the token leaves the address bar at once");
        var setCookie = login.Headers.GetValues("Set-Cookie").Single();
        Assert.That(setCookie, Does.StartWith(CookieName + "="));
        Assert.That(setCookie, Does.Contain("httponly").IgnoreCase);
        Assert.That(setCookie, Does.Contain("samesite=strict").IgnoreCase);
        Assert.That(setCookie, Does.Contain("path=/").IgnoreCase);
        Assert.That(setCookie, Does.Not.Contain(_web.Token), "the cookie is a data-protected ticket, not the token");
    }

    [Test]
    public async Task LoginLink_WithAWrongOrNoToken_SetsNoCookie_AndLandsOnTheSignInPage(CancellationToken cancellationToken)
    {
        using var http = Http();
        using var wrong = await http.GetAsync("login?token=tc_not-the-token-at-all", cancellationToken);
        using var none = await http.GetAsync("login", cancellationToken);

        foreach (var response in new[] { wrong, none })
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo("/#login-failed"));
            Assert.That(response.Headers.Contains("Set-Cookie"), Is.False);
        }

        Assert.That(_web.Daemon.Logs.WithEventId(761), Has.Count.EqualTo(2), "each refused sign-in is logged");
    }

    [Test]
    public async Task Cookie_OpensRestAndTheHub_FromTheDaemonsOwnOrigin(CancellationToken cancellationToken)
    {
        var session = await _web.CreateSessionAsync("Seen with the cookie");
        var cookie = await SignInAsync(cancellationToken);
        using var http = Http();

        using var list = await http.SendAsync(WithCookie(HttpMethod.Get, "sessions", cookie), cancellationToken);
        using var negotiate = await http.SendAsync(WithCookie(HttpMethod.Post, "hubs/sessions/negotiate?negotiateVersion=1", cookie, SelfOrigin), cancellationToken);
        using var typed = await http.SendAsync(WithCookie(HttpMethod.Get, "sessions", cookie, site: "none"), cancellationToken);
        using var old = await http.SendAsync(WithCookie(HttpMethod.Get, "sessions", cookie, site: null), cancellationToken);

        Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await list.Content.ReadAsStringAsync(cancellationToken), Does.Contain(session.SessionId));
        Assert.That(negotiate.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(typed.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a typed address or bookmark (Sec-Fetch-Site: none)");
        Assert.That(old.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a browser without fetch metadata");
    }

    [Test]
    public async Task Cookie_FromAnotherSiteOrOrigin_IsRefused(CancellationToken cancellationToken)
    {
        await _web.CreateSessionAsync("Not for other sites");
        var cookie = await SignInAsync(cancellationToken);
        using var http = Http();

        // Another port of the same host is the same site for SameSite, so the browser sends the cookie: fetch metadata
        // and the origin check refuse it.
        using var sameSite = await http.SendAsync(WithCookie(HttpMethod.Get, "sessions", cookie, site: "same-site"), cancellationToken);
        using var crossSite = await http.SendAsync(WithCookie(HttpMethod.Get, "sessions", cookie, site: "cross-site"), cancellationToken);
        using var foreignOrigin = await http.SendAsync(
            WithCookie(HttpMethod.Post, "hubs/sessions/negotiate?negotiateVersion=1", cookie, "http://127.0.0.1:1", site: "same-site"), cancellationToken);
        using var foreignCreate = await http.SendAsync(
            WithCookie(HttpMethod.Delete, "sessions/x", cookie, "http://evil.example", site: null), cancellationToken);

        Assert.That(sameSite.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await sameSite.Content.ReadAsStringAsync(cancellationToken), Does.Not.Contain("Not for other sites"));
        Assert.That(crossSite.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(foreignOrigin.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized).Or.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(foreignCreate.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "an allowed cookie from a foreign origin");
        Assert.That(_web.Daemon.Logs.WithEventId(763), Has.Count.GreaterThanOrEqualTo(2), "refusals by fetch metadata are logged");
    }

    [Test]
    public async Task RotatedToken_RefusesTheCookie_AndTellsTheBrowserToDropIt(CancellationToken cancellationToken)
    {
        var cookie = await SignInAsync(cancellationToken);
        _web.Daemon.Get<AccessTokenFile>().Rotate();
        using var http = Http();

        using var list = await http.SendAsync(WithCookie(HttpMethod.Get, "sessions", cookie), cancellationToken);

        Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await list.Content.ReadAsStringAsync(cancellationToken), Does.Contain("rotated"));
        var drop = list.Headers.GetValues("Set-Cookie").Single();
        Assert.That(drop, Does.StartWith(CookieName + "=;").And.Contain("expires=Thu, 01 Jan 1970").IgnoreCase);
    }

    [Test]
    public async Task LoginForm_TakesTheTokenFromTheSameOrigin_Only(CancellationToken cancellationToken)
    {
        using var http = Http();

        using var foreign = await http.SendAsync(Form(_web.Token, "http://evil.example"), cancellationToken);
        using var wrong = await http.SendAsync(Form("tc_wrong-token-wrong-token", SelfOrigin), cancellationToken);
        using var right = await http.SendAsync(Form(_web.Token, SelfOrigin), cancellationToken);

        Assert.That(foreign.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(foreign.Headers.Contains("Set-Cookie"), Is.False);
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(wrong.Headers.Contains("Set-Cookie"), Is.False);
        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(right.Headers.GetValues("Set-Cookie").Single(), Does.StartWith(CookieName + "="));

        HttpRequestMessage Form(string token, string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "login") { Content = JsonContent.Create(new LoginRequest(token), options: TeleClaude.Client.TeleClaudeRestClient.JsonOptions) };
            request.Headers.Add("Origin", origin);
            return request;
        }
    }

    [Test]
    public async Task Dashboard_IsServedWithoutSignIn_CompressedAndLockedDown_ButHoldsNoData(CancellationToken cancellationToken)
    {
        await _web.CreateSessionAsync("Private title");
        using var http = Http();
        using var index = await http.GetAsync("", cancellationToken);
        var html = await index.Content.ReadAsStringAsync(cancellationToken);
        using var gzip = new HttpRequestMessage(HttpMethod.Get, "web/vendor/signalr.min.js");
        gzip.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var script = await http.SendAsync(gzip, cancellationToken);
        using var missing = await http.GetAsync("web/nothing-here.js", cancellationToken);

        Assert.That(index.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(html, Does.Contain("/web/app.js").And.Not.Contain("Private title"));
        var csp = index.Headers.GetValues("Content-Security-Policy").Single();
        Assert.That(csp, Does.Contain("default-src 'self'").And.Contain("frame-ancestors 'none'").And.Contain("'sha256-"));
        Assert.That(index.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("no-referrer"));
        Assert.That(script.Content.Headers.ContentEncoding, Is.EquivalentTo(new[] { "gzip" }));
        Assert.That(script.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/javascript"));
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task HubConnection_OpenedWithATokenThatIsRotated_IsClosed(CancellationToken cancellationToken)
    {
        var token = _web.Token;
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(_web.BaseUrl, HubRoutes.Sessions), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await hub.StartAsync(cancellationToken);
        await hub.InvokeAsync(nameof(ISessionsHub.Subscribe), Views.Sessions, cancellationToken);

        _web.Daemon.Get<AccessTokenFile>().Rotate();

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        Assert.That(hub.State, Is.EqualTo(HubConnectionState.Disconnected));
        var reconnect = Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync(cancellationToken));
        Assert.That(reconnect!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
