using TeleClaude.Client;
using TeleClaude.Daemon.Hosting;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Configuration;

/// <summary>
/// The daemon reads its configuration the same wherever it is started: appsettings.json beside the daemon, then the user's
/// configuration file, then environment variables, then the command line; requests are not logged one by one by default.
/// Each test runs a private copy of the built daemon in its own process.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
internal sealed class ConfigurationSourcesIntegrationTests
{
    private DaemonInstall _install = null!;
    private string _directory = null!;

    private string SocketPath => Path.Combine(_directory, "d.sock");

    [SetUp]
    public async Task CreateInstall()
    {
        _install = await DaemonInstall.CreateAsync(TestContext.CurrentContext.CancellationToken);
        _directory = Path.Combine(Path.GetTempPath(), "tc-cfg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void Delete()
    {
        _install.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task StartedFromAnotherDirectory_ReadsTheAppSettingsBesideTheDaemon_AndLogsNoRequests()
    {
        var token = TestContext.CurrentContext.CancellationToken;
        _install.WriteAppSettings("""{ "TeleClaude": { "ComputerName": "from-appsettings" } }""");
        // A decoy in the working directory: what a content root of "." would read.
        var elsewhere = Directory.CreateDirectory(Path.Combine(_directory, "elsewhere")).FullName;
        await File.WriteAllTextAsync(Path.Combine(elsewhere, "appsettings.json"), """{ "TeleClaude": { "ComputerName": "from-working-dir" } }""", token);
        await using var daemon = DaemonCommandLine.Start(DaemonArgs(), workingDirectory: elsewhere, dll: _install.Dll);
        await daemon.WaitUntilServingAsync(SocketPath, token);

        using (var rest = new TeleClaudeRestClient(SocketPath))
        {
            Assert.That((await rest.HealthAsync(token)).Computer, Is.EqualTo("from-appsettings"));
            for (var i = 0; i < 5; i++)
            {
                await rest.ListSessionsAsync(token);
            }
        }

        Assert.That(await daemon.TerminateAsync(token), Is.EqualTo(ExitCodes.Stopped), "SIGTERM is a stop on request: " + daemon.Stderr);
        // The process has exited, so its log is complete: the requests above are not in it.
        Assert.That(daemon.Stdout, Does.Contain("Application is shutting down"), "the log was read to its end");
        Assert.That(daemon.Stdout, Does.Not.Contain("Request starting").And.Not.Contain("Request finished"));
    }

    [Test]
    public async Task Precedence_AppSettings_UserConfig_Environment_CommandLine()
    {
        var token = TestContext.CurrentContext.CancellationToken;
        // No Logging section anywhere: quiet request logging must come from the daemon's built-in defaults.
        _install.WriteAppSettings("""
            { "TeleClaude": { "ComputerName": "app", "Cache": { "TodosTtl": "00:00:11", "RemoteProjectsTtl": "00:00:12", "ComputerTtl": "00:00:13" } } }
            """);
        var configHome = Path.Combine(_directory, "xdg");
        Directory.CreateDirectory(Path.Combine(configHome, "teleclaude"));
        await File.WriteAllTextAsync(
            Path.Combine(configHome, "teleclaude", "config.json"),
            """{ "TeleClaude": { "ComputerName": "user", "Cache": { "RemoteProjectsTtl": "00:00:22", "ComputerTtl": "00:00:23" } } }""",
            token);
        var environment = new Dictionary<string, string>
        {
            ["XDG_CONFIG_HOME"] = configHome,
            ["TeleClaude__ComputerName"] = "env",
            ["TeleClaude__Cache__ComputerTtl"] = "00:00:33",
        };
        await using var daemon = DaemonCommandLine.Start([.. DaemonArgs(), "--computer", "cli"], workingDirectory: _directory, environment: environment, dll: _install.Dll);
        await daemon.WaitUntilServingAsync(SocketPath, token);

        using var rest = new TeleClaudeRestClient(SocketPath);
        var ttls = (await rest.DiagnosticsAsync(token)).Cache.ToDictionary(c => c.Category, c => c.Ttl);
        Assert.That(ttls["todos"], Is.EqualTo(TimeSpan.FromSeconds(11)), "appsettings.json");
        Assert.That(ttls["remote_projects"], Is.EqualTo(TimeSpan.FromSeconds(22)), "the user file beats appsettings.json");
        Assert.That(ttls["computers"], Is.EqualTo(TimeSpan.FromSeconds(33)), "the environment beats the user file");
        Assert.That((await rest.HealthAsync(token)).Computer, Is.EqualTo("cli"), "the command line beats everything");
        Assert.That(await daemon.TerminateAsync(token), Is.EqualTo(ExitCodes.Stopped), daemon.Stderr);
        Assert.That(daemon.Stdout, Does.Contain("Application is shutting down").And.Not.Contain("Request starting"));
    }

    [Test]
    public async Task UserConfigThatIsNotJson_StopsStart_WithExit2_NamingTheFile()
    {
        var token = TestContext.CurrentContext.CancellationToken;
        var file = Path.Combine(_directory, "mine.json");
        await File.WriteAllTextAsync(file, "{ \"TeleClaude\": { \"ComputerName\": oops } }", token);
        await using var daemon = DaemonCommandLine.Start([.. DaemonArgs(), "--config", file], dll: _install.Dll);

        var exitCode = await daemon.WaitForExitAsync(token);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.NeedsOperator), daemon.Stderr);
        Assert.That(daemon.Stderr, Does.StartWith("teleclaude: invalid configuration:").And.Contain(file).And.Contain("LineNumber"));
        Assert.That(daemon.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1));
        Assert.That(daemon.Stderr + daemon.Stdout, Does.Not.Contain("   at "));
    }

    [Test]
    public async Task NamedConfigFileThatDoesNotExist_StopsStart_WithExit2()
    {
        var missing = Path.Combine(_directory, "missing.json");
        await using var daemon = DaemonCommandLine.Start([.. DaemonArgs(), "--config", missing], dll: _install.Dll);

        var exitCode = await daemon.WaitForExitAsync(TestContext.CurrentContext.CancellationToken);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.NeedsOperator), daemon.Stderr);
        Assert.That(daemon.Stderr, Is.EqualTo($"teleclaude: the configuration file {missing} (named by --config or TeleClaude:ConfigFile) does not exist; create it or leave the setting out to use {Path.Combine(Path.GetTempPath(), "tc-no-user-config", "teleclaude", "config.json")}."));
    }

    private string[] DaemonArgs() =>
        ["--socket", SocketPath, "--db", Path.Combine(_directory, "d.db"), $"--TeleClaude:Sessions:TmuxSocketName=tc-test-{Path.GetFileName(_directory)}"];
}
