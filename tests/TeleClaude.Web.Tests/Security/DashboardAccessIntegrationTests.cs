using TeleClaude.Daemon.Security;
using TeleClaude.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TeleClaude.Web.Tests.Security;

/// <summary>
/// What a browser without the sign-in, with a stale link, with a rotated token, or on another site gets from the real
/// daemon: the page's shell and nothing else.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
internal sealed class DashboardAccessIntegrationTests : BrowserAndDaemonTests
{
    [Test]
    public async Task WithoutTheToken_ThePageGetsNothing_OverRestOrTheHub(CancellationToken cancellationToken)
    {
        var session = await Web.CreateSessionAsync("Secret plans");
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var answers = new List<(string Path, int Status)>();
        page.Response += (_, response) => answers.Add((new Uri(response.Url).AbsolutePath, response.Status));

        await page.GotoAsync(Web.BaseUrl.ToString());

        await Expect(page.Locator("#signin")).ToContainTextAsync("TeleClaude.Daemon web");
        var data = answers.Where(a => a.Path != "/" && !a.Path.StartsWith("/web/", StringComparison.Ordinal)).ToList();
        Assert.That(data, Is.Not.Empty, "the page tried the hub");
        Assert.That(data.Select(a => a.Status), Is.All.EqualTo(401), string.Join(", ", data));

        // And what a script on the page could try by hand.
        var rest = await page.EvaluateAsync<int>("() => fetch('/sessions').then(r => r.status)");
        var socket = await page.EvaluateAsync<string>("""
            () => new Promise(resolve => {
              const ws = new WebSocket(`ws://${location.host}/hubs/sessions`);
              ws.onopen = () => resolve('open');
              ws.onclose = (e) => resolve('closed ' + e.code);
            })
            """);
        Assert.That(rest, Is.EqualTo(401));
        Assert.That(socket, Is.EqualTo("closed 1006"), "the WebSocket handshake is refused");
        Assert.That(await page.ContentAsync(), Does.Not.Contain("Secret plans").And.Not.Contain(session.SessionId));
        Assert.That(await context.CookiesAsync(), Is.Empty);
    }

    [Test]
    public async Task StaleLoginLink_ShowsWhyAndHowToSignIn_AndLeavesNoCookie(CancellationToken cancellationToken)
    {
        var stale = Web.LoginUrl;
        Web.Daemon.Get<AccessTokenFile>().Rotate();
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(stale);

        await Expect(page.Locator("#signin")).ToContainTextAsync("not valid any more");
        Assert.That(page.Url, Is.EqualTo(Web.BaseUrl.ToString()), "neither the token nor the failure stays in the address bar");
        Assert.That(await context.CookiesAsync(), Is.Empty);

        // The page's own form takes the current token.
        await page.Locator("#signin input").FillAsync(Web.Token);
        await page.Locator("#signin button[type=submit]").ClickAsync();
        await Expect(page.Locator("#conn")).ToHaveTextAsync("● connected");
    }

    [Test]
    public async Task RotatedToken_SignsAnOpenPageOut_WithoutAReload(CancellationToken cancellationToken)
    {
        await Web.CreateSessionAsync("Visible until the rotation");
        var page = await Web.OpenSignedInAsync(Browser);
        await Expect(page.Locator("[data-session]")).ToHaveCountAsync(1);

        Web.Daemon.Get<AccessTokenFile>().Rotate();

        // The daemon closes hub connections of a rotated token (within 2 s); the reconnect is refused, and the page says so.
        await Expect(page.Locator("#signin")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-session]")).ToHaveCountAsync(0);
        Assert.That(await page.Context.CookiesAsync(), Is.Empty, "the daemon told the browser to drop the stale cookie");
    }

    [Test]
    public async Task PageOnAnotherOrigin_CannotUseTheSignIn(CancellationToken cancellationToken)
    {
        await Web.CreateSessionAsync("Only for the dashboard");
        var page = await Web.OpenSignedInAsync(Browser);
        var target = Web.BaseUrl.ToString().TrimEnd('/');
        // Two attackers: a page on another site (localhost is not 127.0.0.1), and one on another port of the same host
        // (the same site, so the browser sends the SameSite=Strict cookie along).
        await using var site = await ForeignSite.StartAsync();
        foreach (var origin in new[] { $"http://localhost:{site.Port}", $"http://127.0.0.1:{site.Port}" })
        {
            var evil = await page.Context.NewPageAsync();
            await evil.GotoAsync(origin + "/");

            var read = await evil.EvaluateAsync<string>(
                "url => fetch(url + '/sessions', { credentials: 'include' }).then(r => r.text()).catch(e => 'refused: ' + e.message)", target);
            var socket = await evil.EvaluateAsync<string>("""
                url => new Promise(resolve => {
                  const ws = new WebSocket(url.replace('http', 'ws') + '/hubs/sessions');
                  ws.onopen = () => resolve('open');
                  ws.onclose = (e) => resolve('closed ' + e.code);
                })
                """, target);

            Assert.That(read, Does.StartWith("refused"), origin);
            Assert.That(socket, Is.EqualTo("closed 1006"), origin);
        }

        // The other site's requests carry no cookie (SameSite=Strict); the other port's do, and are refused by their
        // fetch metadata, with a warning.
        Assert.That(Web.Daemon.Logs.WithEventId(763).Select(e => e.Message), Has.Some.Contains("Sec-Fetch-Site: same-site"));
        await Expect(page.Locator("#conn")).ToHaveTextAsync("● connected");
    }
}
