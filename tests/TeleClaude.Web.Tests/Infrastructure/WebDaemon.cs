using Microsoft.Playwright;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Security;
using TeleClaude.Daemon.Web;

namespace TeleClaude.Web.Tests.Infrastructure;

/// <summary>
/// The real daemon (<see cref="DaemonProcess"/>) with its TCP listener on a free loopback port, where the dashboard is:
/// the page is opened as a person would, through the login URL <c>TeleClaude.Daemon web</c> prints.
/// </summary>
internal sealed class WebDaemon : IAsyncDisposable
{
    private WebDaemon(DaemonProcess daemon, int port)
    {
        Daemon = daemon;
        Port = port;
    }

    public DaemonProcess Daemon { get; }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    public string Token => Daemon.Get<AccessTokenFile>().GetOrCreate();

    public string LoginUrl => WebCommand.LoginUrl(BaseUrl, Token);

    public static async Task<WebDaemon> StartAsync(string computer = "alpha", params string[] extraArgs)
    {
        var port = RedisServer.FreePort();
        var daemon = await DaemonProcess.StartAsync(computer, [$"--tcp=http://127.0.0.1:{port}", .. extraArgs]);
        return new WebDaemon(daemon, port);
    }

    /// <summary>A new browser profile signed in with the login URL, on the dashboard, connected (full state drawn).</summary>
    public async Task<IPage> OpenSignedInAsync(Chromium chromium, BrowserNewContextOptions? options = null)
    {
        var context = await chromium.NewContextAsync(options);
        var page = await context.NewPageAsync();
        await page.GotoAsync(LoginUrl);
        Assert.That(page.Url, Is.EqualTo(BaseUrl.ToString()), "the login URL leads to the dashboard, without the token");
        await Assertions.Expect(page.Locator("#conn")).ToHaveTextAsync("● connected");
        return page;
    }

    public Task<SessionInfo> CreateSessionAsync(string title, string? message = null) => Daemon.CreateSessionAsync(title, message);

    public async ValueTask DisposeAsync() => await Daemon.DisposeAsync();
}
