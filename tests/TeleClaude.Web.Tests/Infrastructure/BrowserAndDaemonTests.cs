namespace TeleClaude.Web.Tests.Infrastructure;

/// <summary>One system Chromium for the fixture, and a fresh real daemon with its TCP listener for each test.</summary>
internal abstract class BrowserAndDaemonTests
{
    private protected Chromium Browser { get; private set; } = null!;

    private protected WebDaemon Web { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task LaunchBrowserAsync() => Browser = await Chromium.LaunchAsync();

    [OneTimeTearDown]
    public async Task CloseBrowserAsync() => await Browser.DisposeAsync();

    [SetUp]
    public async Task StartDaemonAsync() => Web = await WebDaemon.StartAsync();

    [TearDown]
    public async Task StopDaemonAsync() => await Web.DisposeAsync();
}
