using TeleClaude.Contracts;
using Telec.Cli;

namespace Telec.Tests.Unit;

[TestFixture]
public sealed class ContractCheckUnitTests
{
    private static HealthReport Health(int? contract) => new("ok", "alpha", "9.9.9+abc", DateTimeOffset.UnixEpoch, false, [], contract);

    [Test]
    public void Describe_IsNull_WhenTheDaemonSpeaksThisContract() =>
        Assert.That(ContractCheck.Describe(Health(ContractVersion.Current), "/s"), Is.Null);

    [Test]
    public void Describe_TakesAnUnnumberedDaemonForTheFirstContract() =>
        Assert.That(ContractCheck.Describe(Health(null), "/s"), ContractVersion.Current == 1 ? Is.Null : Is.Not.Null);

    [Test]
    public void Describe_SaysBothVersionsAndContracts_WhenTheyDiffer()
    {
        var problem = ContractCheck.Describe(Health(ContractVersion.Current + 1), "/run/tc.sock");

        Assert.That(problem, Does.Contain($"the daemon at /run/tc.sock (version 9.9.9+abc) speaks contract {ContractVersion.Current + 1}")
            .And.Match($@"this telec \(version \d+\.\d+\.\d+[^)]*\) speaks contract {ContractVersion.Current}\.")
            .And.Contain("this telec is older"));
    }
}
