using System.Text.Json;
using Telec.Tests.Infrastructure;

namespace Telec.Tests.Integration;

/// <summary>The non-interactive commands of the real telec binary.</summary>
[TestFixture]
public sealed class TelecCliIntegrationTests
{
    [Test]
    [CancelAfter(60_000)]
    public async Task ListSessionsJson_PrintsSnakeCaseSessions_WhenDaemonRuns()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var created = await daemon.CreateSessionAsync("Listed session", message: "hi");

        var (exitCode, output, error) = await TelecBinary.RunAsync("list", "sessions", "--json", "--socket", daemon.SocketPath);

        Assert.That(exitCode, Is.Zero, error);
        using var json = JsonDocument.Parse(output);
        var sessions = json.RootElement.EnumerateArray().ToList();
        Assert.That(sessions, Has.Count.EqualTo(1));
        var session = sessions[0];
        Assert.Multiple(() =>
        {
            Assert.That(session.GetProperty("session_id").GetString(), Is.EqualTo(created.SessionId));
            Assert.That(session.GetProperty("title").GetString(), Is.EqualTo("Listed session"));
            Assert.That(session.GetProperty("project_path").GetString(), Is.EqualTo(daemon.ProjectPath));
            Assert.That(session.GetProperty("status").GetString(), Is.AnyOf("starting", "active", "idle"), "a live session, as a snake_case string");
            Assert.That(session.GetProperty("last_input").GetString(), Is.EqualTo("hi"));
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ListComputers_PrintsAlignedTable_WhenDaemonRuns()
    {
        await using var daemon = await DaemonProcess.StartAsync();

        var (exitCode, output, error) = await TelecBinary.RunAsync("list", "computers", "--socket", daemon.SocketPath);

        Assert.That(exitCode, Is.Zero, error);
        var lines = output.TrimEnd().Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Does.StartWith("NAME").And.Contain("STATUS").And.Contain("LOCAL"));
            Assert.That(lines[1], Does.StartWith("alpha ").And.Contain("online").And.EndWith("yes"));
            Assert.That(lines[1].IndexOf("online", StringComparison.Ordinal), Is.EqualTo(lines[0].IndexOf("STATUS", StringComparison.Ordinal)));
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task List_ExitsWithOneAndNamesTheSocket_WhenDaemonIsUnreachable()
    {
        var socket = Path.Combine(Path.GetTempPath(), "tct-" + Guid.NewGuid().ToString("N")[..10], "missing.sock");

        var (exitCode, output, error) = await TelecBinary.RunAsync("list", "sessions", "--json", "--socket", socket);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(output, Is.Empty);
            Assert.That(error, Does.Contain($"Cannot reach the TeleClaude daemon at {socket}"));
            Assert.That(error, Does.Contain("dotnet run --project src/TeleClaude.Daemon"));
        });
    }

    [TestCase("list", "everything")]
    [TestCase("frobnicate")]
    [TestCase("--bogus")]
    [TestCase("--socket")]
    [CancelAfter(60_000)]
    public async Task BadUsage_ExitsWithTwo(params string[] args)
    {
        var (exitCode, _, error) = await TelecBinary.RunAsync(args);

        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(error, Does.Contain("telec --help"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Help_PrintsUsage_WithExitCodeZero()
    {
        var (exitCode, output, _) = await TelecBinary.RunAsync("--help");

        Assert.That(exitCode, Is.Zero);
        Assert.That(output, Does.Contain("telec list [sessions|computers|projects] [--json]").And.Contain("--socket PATH"));
    }
}
