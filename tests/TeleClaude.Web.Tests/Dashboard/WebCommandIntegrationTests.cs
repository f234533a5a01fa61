using TeleClaude.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TeleClaude.Web.Tests.Dashboard;

/// <summary><c>TeleClaude.Daemon web</c>, run as a user runs it (its own process), against a running daemon.</summary>
[TestFixture]
[CancelAfter(90_000)]
internal sealed class WebCommandIntegrationTests
{
    [Test]
    public async Task Web_PrintsTheLoginUrl_FromTheDaemonsSettings_AndThatUrlSignsTheBrowserIn(CancellationToken cancellationToken)
    {
        await using var web = await WebDaemon.StartAsync();
        await web.CreateSessionAsync("Opened from the printed URL");
        // The TCP listener comes from the user's configuration file, as a person would set it once.
        var config = Path.Combine(web.Daemon.Directory, "with-tcp.json");
        await File.WriteAllTextAsync(config, $$"""{ "TeleClaude": { "TcpUrl": "{{web.BaseUrl.ToString().TrimEnd('/')}}" } }""", cancellationToken);

        await using var command = DaemonCommandLine.Start(["web", "--config", config, "--db", web.Daemon.DatabasePath]);
        var exit = await command.WaitForExitAsync(cancellationToken);

        Assert.That(exit, Is.Zero, command.Stderr);
        Assert.That(command.Stdout, Is.EqualTo(web.LoginUrl), "stdout is the URL alone");
        Assert.That(command.Stderr, Does.Contain("ssh -L"));
        await using var chromium = await Chromium.LaunchAsync();
        var page = await (await chromium.NewContextAsync()).NewPageAsync();
        await page.GotoAsync(command.Stdout.Trim());
        await Expect(page.Locator("[data-session] .title")).ToHaveTextAsync("Opened from the printed URL");
    }

    [Test]
    public async Task Daemon_WithABadCookieLifetime_StopsWithOneLineNamingTheSetting_AndExits2(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("tc-web-bad-");
        try
        {
            var config = Path.Combine(directory.FullName, "config.json");
            await File.WriteAllTextAsync(config, "{}", cancellationToken);
            await using var daemon = DaemonCommandLine.Start(
            [
                "--config", config, "--socket", Path.Combine(directory.FullName, "d.sock"), "--db", Path.Combine(directory.FullName, "d.db"),
                "--TeleClaude:Web:CookieLifetime=00:00:01", $"--TeleClaude:Sessions:TmuxSocketName=tc-test-{directory.Name}",
            ]);
            var exit = await daemon.WaitForExitAsync(cancellationToken);

            Assert.That(exit, Is.EqualTo(2));
            Assert.That(daemon.Stderr, Is.EqualTo("teleclaude: invalid configuration:\n  - TeleClaude:Web:CookieLifetime must be between 00:01:00 and 400.00:00:00 (browsers cap cookies at 400 days)."));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Web_WithoutATcpListener_SaysHowToStartOne_AndExits2(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("tc-web-cmd-");
        try
        {
            await using var command = DaemonCommandLine.Start(["web", "--db", Path.Combine(directory.FullName, "d.db")]);
            var exit = await command.WaitForExitAsync(cancellationToken);

            Assert.That(exit, Is.EqualTo(2));
            Assert.That(command.Stdout, Is.Empty);
            Assert.That(command.Stderr, Does.Contain("--tcp http://127.0.0.1:8765"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
