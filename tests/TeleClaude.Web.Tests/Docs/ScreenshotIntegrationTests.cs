using Microsoft.Playwright;
using TeleClaude.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TeleClaude.Web.Tests.Docs;

/// <summary>
/// The README's screenshots (docs/web-dashboard.png, docs/web-dashboard-phone.png), made from the real daemon and page.
/// Explicit: <c>dotnet test tests/TeleClaude.Web.Tests -c Release --filter "FullyQualifiedName~Screenshot"</c>;
/// TELECLAUDE_SCREENSHOTS names the directory to write to (default: the docs folder of this checkout).
/// </summary>
[TestFixture]
[Explicit("Writes the README's screenshots.")]
internal sealed class ScreenshotIntegrationTests
{
    [Test]
    [CancelAfter(120_000)]
    public async Task Screenshot_SessionsWithOneWaiting_OnALaptopAndAPhone(CancellationToken cancellationToken)
    {
        var directory = Environment.GetEnvironmentVariable("TELECLAUDE_SCREENSHOTS") is { Length: > 0 } d ? d : DocsDirectory();
        await using var chromium = await Chromium.LaunchAsync();
        await using var web = await WebDaemon.StartAsync("laptop");
        await web.CreateSessionAsync("Fix the flaky build", "run the tests");
        var asks = await web.CreateSessionAsync("Asks before overwriting");
        await web.CreateSessionAsync("Write the release notes", "draft them");
        using (var rest = web.Daemon.Rest())
        {
            await rest.SendInputAsync(asks.SessionId, "ask", cancellationToken);
        }

        var page = await web.OpenSignedInAsync(chromium, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 640 } });
        await Expect(page.Locator("#need-count")).ToHaveTextAsync("1");
        await page.Keyboard.PressAsync("w");
        await Expect(page.Locator("#question")).ToContainTextAsync("[y/n]");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, "web-dashboard.png") });

        var phone = await web.OpenSignedInAsync(chromium, new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 720 },
            IsMobile = true,
            HasTouch = true,
            DeviceScaleFactor = 1,
        });
        await Expect(phone.Locator("#need-count")).ToHaveTextAsync("1");
        await phone.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, "web-dashboard-phone.png") });
    }

    private static string DocsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TeleClaude.sln")))
            {
                return Path.Combine(dir.FullName, "docs");
            }
        }

        throw new DirectoryNotFoundException("No TeleClaude.sln above the test's directory; set TELECLAUDE_SCREENSHOTS.");
    }
}
