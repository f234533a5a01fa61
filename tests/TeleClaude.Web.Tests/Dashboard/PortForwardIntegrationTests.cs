using TeleClaude.Daemon.Web;
using TeleClaude.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TeleClaude.Web.Tests.Dashboard;

/// <summary>
/// A remote look through a port forward, as <c>ssh -L 9000:127.0.0.1:PORT devbox</c> gives one: the browser sees another
/// port and perhaps another host name; the README says which names work and how to add one.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
internal sealed class PortForwardIntegrationTests
{
    [Test]
    public async Task BehindAPortForward_TheLoginUrlWorks_OnLocalhost_AndOnAConfiguredHostName_ButNotOnAnother(CancellationToken cancellationToken)
    {
        await using var web = await WebDaemon.StartAsync("devbox", "--TeleClaude:Access:AllowedHosts:0=devbox.test");
        var session = await web.CreateSessionAsync("Seen through the tunnel");
        await using var forward = PortForward.To(web.Port);
        await using var chromium = await Chromium.LaunchAsync("--host-resolver-rules=MAP devbox.test 127.0.0.1, MAP other.test 127.0.0.1");

        foreach (var host in new[] { "localhost", "devbox.test" })
        {
            var page = await (await chromium.NewContextAsync()).NewPageAsync();
            await page.GotoAsync(WebCommand.LoginUrl(new Uri($"http://{host}:{forward.Port}/"), web.Token));

            Assert.That(page.Url, Is.EqualTo($"http://{host}:{forward.Port}/"), host);
            await Expect(page.Locator("#conn")).ToHaveTextAsync("● connected");
            await Expect(page.Locator($"[data-session='{session.SessionId}'] .title")).ToHaveTextAsync("Seen through the tunnel");
        }

        var refused = await (await chromium.NewContextAsync()).NewPageAsync();
        var response = await refused.GotoAsync(WebCommand.LoginUrl(new Uri($"http://other.test:{forward.Port}/"), web.Token));
        Assert.That(response!.Status, Is.EqualTo(400), "a host name not configured (DNS rebinding looks the same)");
        Assert.That(await response.TextAsync(), Does.Contain("Invalid Hostname"));
    }
}
