using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Tests.Security;

/// <summary>The fleet key's settings: read from the value or a file, checked on start, each problem one line naming the setting (never the key).</summary>
[TestFixture]
[CancelAfter(10_000)]
internal sealed class FleetKeyOptionsUnitTests
{
    private const string Key = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
    private const string Old = "old-key-0123456789abcdefghijklmnopqrstuvwx";
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("tc-fleet-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private static (FleetKeys Keys, List<string> Failures) Load(FleetKeyOptions options)
    {
        var failures = new List<string>();
        return (FleetKeys.Load(options, failures), failures);
    }

    [Test]
    public void NoKey_MeansSigningOff()
    {
        var (keys, failures) = Load(new FleetKeyOptions());

        Assert.That((keys.Enabled, failures.Count), Is.EqualTo((false, 0)));
    }

    [Test]
    public void FleetKeyAndPreviousKeys_AreAllHeld_WithDistinctIdsThatAreNotTheKey()
    {
        var (keys, failures) = Load(new FleetKeyOptions { FleetKey = Key, PreviousFleetKeys = [Old, Key] });

        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Empty);
            Assert.That(keys.Keys, Has.Count.EqualTo(2), "a key repeated in PreviousFleetKeys is held once");
            Assert.That(keys.Keys.Select(k => k.Id), Is.All.Match("^[0-9a-f]{8}$"));
            Assert.That(keys.Keys.Select(k => k.Id), Is.Unique);
            Assert.That(keys.Keys[0].MacKey, Is.Not.EqualTo(System.Text.Encoding.UTF8.GetBytes(Key)[..32]), "the MAC key is derived, not the text");
            Assert.That(FleetKeys.From(Key).Keys[0].Id, Is.EqualTo(keys.Keys[0].Id), "the id depends on the key alone: every computer computes the same");
        });
    }

    [Test]
    public void KeyFile_HoldsOneKeyPerLine_CommentsAndBlankLinesSkipped()
    {
        var file = Path.Combine(_directory, "fleet.key");
        File.WriteAllLines(file, ["# the new key first", Key, "", "  " + Old + "  "]);

        var (keys, failures) = Load(new FleetKeyOptions { FleetKeyFile = file });

        Assert.That((keys.Keys.Count, failures.Count), Is.EqualTo((2, 0)));
        Assert.That(keys.Keys.Select(k => k.Id), Is.EqualTo(FleetKeys.From(Key, Old).Keys.Select(k => k.Id)));
    }

    [Test]
    public void BadSettings_AreOneLineEach_NamingTheSetting_AndNeverTheKey()
    {
        var empty = Path.Combine(_directory, "empty.key");
        File.WriteAllText(empty, "# nothing yet\n\n");
        var cases = new (FleetKeyOptions Options, string Expected)[]
        {
            (new() { FleetKey = "short-secret" }, "TeleClaude:Redis:FleetKey is 12 characters long; a fleet key needs at least 32"),
            (new() { FleetKey = Key, PreviousFleetKeys = ["also-short"] }, "TeleClaude:Redis:PreviousFleetKeys:0 is 10 characters long"),
            (new() { FleetKeyFile = Path.Combine(_directory, "missing.key") }, "TeleClaude:Redis:FleetKeyFile '" + Path.Combine(_directory, "missing.key") + "' cannot be read"),
            (new() { FleetKeyFile = _directory }, "TeleClaude:Redis:FleetKeyFile '" + _directory + "' cannot be read"),
            (new() { FleetKeyFile = empty }, "holds no key"),
            (new() { FleetKey = Key, FleetKeyFile = empty }, "are both set"),
            (new() { PreviousFleetKeys = [Old] }, "PreviousFleetKeys is set without TeleClaude:Redis:FleetKey"),
            (new() { FleetKey = Key, PreviousFleetKeys = ["k2-" + Old, "k3-" + Old, "k4-" + Old, "k5-" + Old] }, "5 fleet keys are set; at most 4"),
        };

        Assert.Multiple(() =>
        {
            foreach (var (options, expected) in cases)
            {
                var result = new FleetKeyOptionsValidator().Validate(null, options);
                Assert.That(result.Failed, Is.True, expected);
                Assert.That(result.Failures, Has.Exactly(1).Contains(expected));
                Assert.That(result.FailureMessage, Does.Not.Contain("short-secret").And.Not.Contain("also-short"));
            }
        });
    }
}
