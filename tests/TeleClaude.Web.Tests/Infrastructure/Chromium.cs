using Microsoft.Playwright;

namespace TeleClaude.Web.Tests.Infrastructure;

/// <summary>
/// Playwright driving the system Chromium (Debian's <c>chromium</c>; <c>.ci/run</c> installs it when missing): Playwright's
/// own browser download is never used. <c>TELECLAUDE_CHROMIUM</c> names another binary.
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        Playwright = playwright;
        Browser = browser;
    }

    public IPlaywright Playwright { get; }

    public IBrowser Browser { get; }

    public static string ExecutablePath => Environment.GetEnvironmentVariable("TELECLAUDE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <param name="args">More Chromium switches, e.g. <c>--host-resolver-rules=MAP devbox.test 127.0.0.1</c> to reach the
    /// daemon under another host name without DNS.</param>
    public static async Task<Chromium> LaunchAsync(params string[] args)
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Fail($"No Chromium at {ExecutablePath}: `apt-get install -y chromium` (.ci/run does), or set TELECLAUDE_CHROMIUM.");
        }

        // Playwright's assertions wait 5 s by default, apart from the context's timeouts: too short while the whole suite
        // (three test assemblies at once, tmux, redis-server, Chromium) shares two cores. Every wait stays bounded.
        Assertions.SetDefaultExpectTimeout(15_000);
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Timeout = 60_000,
            // As root (CI) Chromium refuses to start without --no-sandbox; /dev/shm is small in containers.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", .. args],
        });
        return new Chromium(playwright, browser);
    }

    /// <summary>A fresh browser profile (no cookies), every wait bounded.</summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        var context = await Browser.NewContextAsync(options ?? new BrowserNewContextOptions());
        context.SetDefaultTimeout(15_000);
        context.SetDefaultNavigationTimeout(30_000);
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        Playwright.Dispose();
    }
}
