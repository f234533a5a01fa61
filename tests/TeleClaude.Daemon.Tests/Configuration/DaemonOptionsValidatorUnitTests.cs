using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Tests.Configuration;

[TestFixture]
internal sealed class DaemonOptionsValidatorUnitTests
{
    private readonly DaemonOptionsValidator _validator = new();
    private string _root = "";

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "teleclaude-validator-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Validate_Succeeds_WhenOptionsAreValid()
    {
        var result = _validator.Validate(null, ValidOptions());

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [TestCase("")]
    [TestCase("-leading-dash")]
    [TestCase(".leading-dot")]
    [TestCase("has space")]
    [TestCase("colon:name")]
    [TestCase("slash/name")]
    [TestCase("trailing-newline\n")]
    public void Validate_RejectsComputerName_WhenItIsNotASafeName(string name)
    {
        var options = ValidOptions();
        options.ComputerName = name;

        AssertSingleFailure(options, "TeleClaude:ComputerName");
    }

    [Test]
    public void Validate_RejectsComputerName_WhenLongerThan63Characters()
    {
        var options = ValidOptions();
        options.ComputerName = new string('a', 64);

        AssertSingleFailure(options, "TeleClaude:ComputerName");
    }

    [TestCase("a")]
    [TestCase("Work-PC_2.lan")]
    public void Validate_AcceptsComputerName_WhenItIsSafe(string name)
    {
        var options = ValidOptions();
        options.ComputerName = name;

        Assert.That(_validator.Validate(null, options).Succeeded, Is.True);
    }

    [Test]
    public void Validate_RejectsSocketPath_WhenRelative()
    {
        var options = ValidOptions();
        options.SocketPath = "relative/teleclaude.sock";

        AssertSingleFailure(options, "TeleClaude:SocketPath", "absolute path");
    }

    [Test]
    public void Validate_RejectsDatabasePath_WhenRelative()
    {
        var options = ValidOptions();
        options.DatabasePath = "teleclaude.db";

        AssertSingleFailure(options, "TeleClaude:DatabasePath", "absolute path");
    }

    [Test]
    public void Validate_RejectsSocketPath_WhenLongerThan107Characters()
    {
        var options = ValidOptions();
        options.SocketPath = "/" + new string('s', 107);

        AssertSingleFailure(options, "TeleClaude:SocketPath", "at most 107");
    }

    [Test]
    public void Validate_AcceptsSocketPath_WhenExactly107Characters()
    {
        var options = ValidOptions();
        options.SocketPath = "/" + new string('s', 106);

        Assert.That(_validator.Validate(null, options).Succeeded, Is.True);
    }

    [TestCase("http://192.168.1.10:8765")]
    [TestCase("http://0.0.0.0:8765")]
    [TestCase("http://example.com:8765")]
    [TestCase("http://[2001:db8::1]:8765")]
    public void Validate_RejectsTcpUrl_WhenNotLoopbackAndNotAllowed(string url)
    {
        var options = ValidOptions();
        options.TcpUrl = url;

        AssertSingleFailure(options, "TeleClaude:TcpUrl", "TeleClaude:AllowNonLoopbackTcp");
    }

    [TestCase("http://192.168.1.10:8765")]
    [TestCase("http://0.0.0.0:8765")]
    public void Validate_AcceptsNonLoopbackTcpUrl_WhenAllowNonLoopbackTcp(string url)
    {
        var options = ValidOptions();
        options.TcpUrl = url;
        options.AllowNonLoopbackTcp = true;

        Assert.That(_validator.Validate(null, options).Succeeded, Is.True);
    }

    [TestCase("http://127.0.0.1:8765")]
    [TestCase("http://127.1.2.3:8765")]
    [TestCase("http://[::1]:8765")]
    [TestCase("http://127.0.0.1:8765/")]
    public void Validate_AcceptsTcpUrl_WhenLoopback(string url)
    {
        var options = ValidOptions();
        options.TcpUrl = url;

        var result = _validator.Validate(null, options);

        Assert.That(result.Succeeded, Is.True, result.FailureMessage);
    }

    [TestCase("https://127.0.0.1:8765")]
    [TestCase("http://127.0.0.1:8765/api")]
    [TestCase("127.0.0.1:8765")]
    [TestCase("not a url")]
    public void Validate_RejectsTcpUrl_WhenMalformed(string url)
    {
        var options = ValidOptions();
        options.TcpUrl = url;
        options.AllowNonLoopbackTcp = true;

        AssertSingleFailure(options, "TeleClaude:TcpUrl", "must look like");
    }

    [Test]
    public void Validate_RejectsProject_WhenItsDirectoryIsMissing()
    {
        var options = ValidOptions();
        var missing = Path.Combine(_root, "missing");
        options.Projects.Add(new ProjectOptions { Path = missing });

        AssertSingleFailure(options, "TeleClaude:Projects:1:Path", "does not exist");
    }

    [Test]
    public void Validate_RejectsProject_WhenItsPathIsRelative()
    {
        var options = ValidOptions();
        options.Projects.Add(new ProjectOptions { Path = "relative/project" });

        AssertSingleFailure(options, "TeleClaude:Projects:1:Path", "absolute path");
    }

    [Test]
    public void Validate_RejectsProject_WhenConfiguredTwice()
    {
        var options = ValidOptions();
        options.Projects.Add(new ProjectOptions { Path = options.Projects[0].Path + Path.DirectorySeparatorChar });

        AssertSingleFailure(options, "TeleClaude:Projects:1:Path", "configured twice");
    }

    [Test]
    public void Validate_ReportsEveryFailure_WhenSeveralSettingsAreBad()
    {
        var options = ValidOptions();
        options.ComputerName = "bad name";
        options.DatabasePath = "relative.db";
        options.TcpUrl = "http://10.0.0.1:1";

        var result = _validator.Validate(null, options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.Failures, Has.Exactly(3).Items);
            Assert.That(result.FailureMessage, Does.Contain("TeleClaude:ComputerName").And.Contain("TeleClaude:DatabasePath").And.Contain("TeleClaude:TcpUrl"));
        });
    }

    [TestCase(nameof(CacheOptions.ComputerTtl), 0)]
    [TestCase(nameof(CacheOptions.RemoteProjectsTtl), -1)]
    [TestCase(nameof(CacheOptions.TodosTtl), 0)]
    [TestCase(nameof(CacheOptions.PullTimeout), -5)]
    [TestCase(nameof(CacheOptions.EvictUnusedAfter), 0)]
    public void CacheOptionsValidator_RejectsTtl_WhenNotPositive(string setting, int seconds)
    {
        var options = new CacheOptions();
        typeof(CacheOptions).GetProperty(setting)!.SetValue(options, TimeSpan.FromSeconds(seconds));

        var result = new CacheOptionsValidator().Validate(null, options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.Failures, Has.Exactly(1).Items);
            Assert.That(result.FailureMessage, Does.Contain($"TeleClaude:Cache:{setting}").And.Contain("positive"));
        });
    }

    [Test]
    public void CacheOptionsValidator_Succeeds_WhenDefaultsAreUsed()
    {
        Assert.That(new CacheOptionsValidator().Validate(null, new CacheOptions()).Succeeded, Is.True);
    }

    private void AssertSingleFailure(DaemonOptions options, params string[] expectedFragments)
    {
        var result = _validator.Validate(null, options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.Failures, Has.Exactly(1).Items, result.FailureMessage);
            foreach (var fragment in expectedFragments)
            {
                Assert.That(result.FailureMessage, Does.Contain(fragment));
            }
        });
    }

    private DaemonOptions ValidOptions()
    {
        var project = Path.Combine(_root, "project");
        Directory.CreateDirectory(project);
        return new DaemonOptions
        {
            ComputerName = "work-pc",
            SocketPath = Path.Combine(_root, "teleclaude.sock"),
            DatabasePath = Path.Combine(_root, "teleclaude.db"),
            Projects = [new ProjectOptions { Path = project }],
        };
    }
}
