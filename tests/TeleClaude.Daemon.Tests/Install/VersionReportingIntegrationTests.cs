using Microsoft.AspNetCore.Http.Connections;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.CommandLine;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Install;

/// <summary>The daemon says which build it is and which contract it speaks, on REST and on the hub, in both hub protocols.</summary>
[TestFixture]
public sealed class VersionReportingIntegrationTests
{
    [TestCase(HubProtocolKind.Json)]
    [TestCase(HubProtocolKind.MessagePack)]
    [CancelAfter(60_000)]
    public async Task HealthAndHub_ReportTheBuildsVersionAndContract(HubProtocolKind protocol, CancellationToken cancellationToken)
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var (hub, _) = await daemon.ConnectAsync(protocol, HttpTransportType.WebSockets);
        using var rest = daemon.Rest();

        var health = await rest.HealthAsync(cancellationToken);
        var version = await hub.GetVersion().WaitAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(health.Version, Is.EqualTo(BuildInfo.Version).And.Not.Empty);
            Assert.That(health.Contract, Is.EqualTo(ContractVersion.Current));
            Assert.That(version, Is.EqualTo(new DaemonVersion(BuildInfo.Version, ContractVersion.Current, "alpha")));
        });
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task HealthJson_CarriesTheContractAsASnakeCaseNumber(CancellationToken cancellationToken)
    {
        await using var daemon = await DaemonProcess.StartAsync();
        using var http = new HttpClient(UnixSocketHttp.CreateHandler(daemon.SocketPath)) { BaseAddress = UnixSocketHttp.BaseAddress };

        var json = await http.GetStringAsync("health", cancellationToken);

        Assert.That(json, Does.Contain($"\"contract\":{ContractVersion.Current}").And.Contain($"\"version\":\"{BuildInfo.Version}\""));
    }
}
