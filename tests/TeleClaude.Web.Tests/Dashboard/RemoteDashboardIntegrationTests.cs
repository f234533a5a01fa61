using TeleClaude.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TeleClaude.Web.Tests.Dashboard;

/// <summary>
/// Two real daemons on a real redis-server: the page signed in to alpha shows bravo's sessions, and follows them as bravo's
/// events arrive, without a reload.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
internal sealed class RemoteDashboardIntegrationTests
{
    private Chromium _chromium = null!;
    private RedisServer _redis = null!;
    private WebDaemon _alpha = null!;
    private DaemonProcess _bravo = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _chromium = await Chromium.LaunchAsync();
        _redis = await RedisServer.StartAsync();
        _alpha = await WebDaemon.StartAsync("alpha", [$"--TeleClaude:Redis:Configuration={_redis.Configuration}", .. DaemonProcess.FastTransport]);
        _bravo = await DaemonProcess.StartWithRedisAsync(_redis, "bravo");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _chromium.DisposeAsync();
        await _alpha.DisposeAsync();
        await _bravo.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Test]
    public async Task RemoteSession_ItsStatusChangeAndOutput_AppearWithoutReload(CancellationToken cancellationToken)
    {
        var page = await _alpha.OpenSignedInAsync(_chromium);
        await Expect(page.Locator("[data-computer='bravo'] h2")).ToContainTextAsync("online", new() { Timeout = 30_000 });

        var session = await _bravo.CreateSessionAsync("Runs on bravo");
        var row = page.Locator($"[data-computer='bravo'] [data-session='{session.SessionId}']");
        await Expect(row.Locator(".title")).ToHaveTextAsync("Runs on bravo");

        // A status change on bravo (its agent asks a question) reaches alpha's page as an event.
        using (var rest = _bravo.Rest())
        {
            await rest.SendInputAsync(session.SessionId, "ask", cancellationToken);
        }

        await Expect(row).ToHaveAttributeAsync("data-status", "waiting");
        await Expect(page.Locator("#need-count")).ToHaveTextAsync("1");

        // Its output: the page watches the remote session; until remote watching is served, it shows the output bravo
        // reports in its events (last_output), which follows the agent's screen as well.
        await row.ClickAsync();
        await Expect(page.Locator("#screen")).ToContainTextAsync("Overwrite notes.txt? [y/n]");
        using (var rest = _bravo.Rest())
        {
            await rest.AnswerAsync(session.SessionId, "y", cancellationToken);
        }

        await Expect(row).Not.ToHaveAttributeAsync("data-status", "waiting");
        await Expect(page.Locator("#screen")).ToContainTextAsync("answered: y");
        await Expect(page.Locator("#need-count")).ToHaveTextAsync("0");
    }
}
