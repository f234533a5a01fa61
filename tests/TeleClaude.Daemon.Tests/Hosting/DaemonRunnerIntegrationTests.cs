using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TeleClaude.Daemon.Hosting;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Hosting;

/// <summary>
/// The host-level fault policy: no service stops the daemon except on purpose, and then with a non-zero exit code and one
/// line. Runs <see cref="DaemonRunner"/> (what Program runs) in-process with a service made to fail.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
internal sealed class DaemonRunnerIntegrationTests
{
    [Test]
    public async Task BackgroundServiceCrash_StopsTheDaemon_WithExit70_AndOneLineNamingTheService()
    {
        var directory = Path.Combine(Path.GetTempPath(), "tc-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "config.json"), "{}", TestContext.CurrentContext.CancellationToken);
        using var error = new StringWriter();
        try
        {
            var exitCode = await DaemonRunner.RunAsync(
                [
                    "--config", Path.Combine(directory, "config.json"), "--socket", Path.Combine(directory, "d.sock"), "--db", Path.Combine(directory, "d.db"),
                    $"--TeleClaude:Sessions:TmuxSocketName=tc-test-{Path.GetFileName(directory)}",
                ],
                error,
                b =>
                {
                    b.Logging.SetMinimumLevel(LogLevel.None);
                    b.Services.AddHostedService<FailingService>();
                }).WaitAsync(TestContext.CurrentContext.CancellationToken);

            Assert.That(exitCode, Is.EqualTo(ExitCodes.ServiceFailed));
            Assert.That(error.ToString().TrimEnd(), Is.EqualTo("teleclaude: stopped because FailingService failed: the test broke it; the log has the details."));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task SocketTakenByAnotherDaemon_ExitsWith1_AndOneLine()
    {
        await using var first = await DaemonProcess.StartAsync("first");
        using var error = new StringWriter();
        var args = first.Args().Select(a => a == first.DatabasePath ? first.DatabasePath + "2" : a).ToArray();

        var exitCode = await DaemonRunner.RunAsync(args, error, b => b.Logging.SetMinimumLevel(LogLevel.None)).WaitAsync(TestContext.CurrentContext.CancellationToken);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.StartFailed));
        Assert.That(error.ToString().TrimEnd(), Does.StartWith($"teleclaude: Another daemon is already listening on {first.SocketPath}").And.Not.Contain("\n"));
    }

    private sealed class FailingService : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(200, stoppingToken);
            throw new InvalidOperationException("the test broke it");
        }
    }
}
