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

    [Test]
    [CancelAfter(60_000)]
    public async Task Projects_AddListRemove_AndRefuseWhatCannotBe()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var extra = Path.Combine(daemon.Directory, "extra");
        Directory.CreateDirectory(extra);

        var added = await TelecBinary.RunAsync("projects", "add", extra, "--name", "Extra", "--socket", daemon.SocketPath);
        var duplicate = await TelecBinary.RunAsync("projects", "add", extra + "/", "--socket", daemon.SocketPath);
        var missing = await TelecBinary.RunAsync("projects", "add", extra + "-missing", "--socket", daemon.SocketPath);
        var list = await TelecBinary.RunAsync("projects", "--socket", daemon.SocketPath);
        var configured = await TelecBinary.RunAsync("projects", "remove", daemon.ProjectPath, "--socket", daemon.SocketPath);
        var removed = await TelecBinary.RunAsync("projects", "remove", extra, "--socket", daemon.SocketPath);

        Assert.Multiple(() =>
        {
            Assert.That(added, Is.EqualTo((0, $"added project Extra ({extra}) on alpha\n", "")));
            Assert.That(duplicate.ExitCode, Is.EqualTo(1));
            Assert.That(duplicate.Error, Does.Contain($"409: '{extra}' is already a project of alpha (added)"));
            Assert.That(missing.ExitCode, Is.EqualTo(1));
            Assert.That(missing.Error, Does.Contain($"400: '{extra}-missing' does not exist on alpha"));
            Assert.That(list.Output, Does.Contain("SOURCE").And.Match($@"alpha\s+Extra\s+{System.Text.RegularExpressions.Regex.Escape(extra)}\s+added"));
            Assert.That(configured.ExitCode, Is.EqualTo(1));
            Assert.That(configured.Error, Does.Contain("409").And.Contain("is configured"));
            Assert.That(removed.ExitCode, Is.Zero, removed.Error);
            Assert.That(removed.Output, Does.Contain($"removed project Extra ({extra})"));
        });
        using var rest = daemon.Rest();
        Assert.That((await rest.ListProjectsAsync()).Select(p => p.Path), Is.EqualTo(new[] { daemon.ProjectPath }));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Send_TypesTheTextIntoTheSession_AndTheAgentEchoesIt()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var session = await daemon.CreateSessionAsync("Scripted");

        var (exitCode, output, error) = await TelecBinary.RunAsync("send", session.SessionId, "hello", "from", "a", "script", "--socket", daemon.SocketPath);
        var fromStdin = await TelecBinary.RunWithInputAsync("second line\n", "send", session.SessionId, "-", "--socket", daemon.SocketPath);

        Assert.That((exitCode, output, error), Is.EqualTo((0, "sent to \"Scripted\" on alpha\n", "")));
        Assert.That(fromStdin.ExitCode, Is.Zero, fromStdin.Error);
        using var rest = daemon.Rest();
        await Eventually.ThatAsync(
            async () => (await rest.GetSessionAsync(session.SessionId)).LastOutput?.Contains("agent got: second line", StringComparison.Ordinal) == true,
            "the agent echoed both lines");
        Assert.That((await rest.GetSessionAsync(session.SessionId)).LastOutput, Does.Contain("agent got: hello from a script"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Send_ToAnEndedSession_ExitsWithOneAndSaysSo()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var session = await daemon.CreateSessionAsync("Gone");
        using (var rest = daemon.Rest())
        {
            await rest.EndSessionAsync(session.SessionId);
        }

        var (exitCode, _, error) = await TelecBinary.RunAsync("send", session.SessionId, "anyone?", "--socket", daemon.SocketPath);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(error, Does.Contain($"400: Session '{session.SessionId}' has ended"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Attach_ToASessionThatJustEnded_ExitsWithOneAndSaysSo()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var session = await daemon.CreateSessionAsync("Just ended");
        using (var rest = daemon.Rest())
        {
            await rest.EndSessionAsync(session.SessionId);
        }

        var ended = await TelecBinary.RunAsync("attach", session.SessionId, "--socket", daemon.SocketPath);
        var unknown = await TelecBinary.RunAsync("attach", "no-such-session", "--socket", daemon.SocketPath);

        Assert.That(ended.ExitCode, Is.EqualTo(1));
        Assert.That(ended.Error, Does.Contain("\"Just ended\" has ended; there is no terminal to open."));
        Assert.That(unknown.ExitCode, Is.EqualTo(1));
        Assert.That(unknown.Error, Does.Contain("no session 'no-such-session' is known to the daemon"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ListWaiting_ListsOnlyWaitingSessions()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        await daemon.CreateSessionAsync("Working");
        var waiting = await daemon.CreateSessionAsync("Blocked on me");
        using (var rest = daemon.Rest())
        {
            await rest.UpdateSessionAsync(waiting.SessionId, new TeleClaude.Contracts.UpdateSessionRequest(Status: TeleClaude.Contracts.SessionStatus.Waiting));
        }

        var (exitCode, output, error) = await TelecBinary.RunAsync("list", "--waiting", "--socket", daemon.SocketPath);

        Assert.That(exitCode, Is.Zero, error);
        var lines = output.TrimEnd().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines[0], Does.StartWith("COMPUTER").And.Contain("WAITING").And.Contain("QUESTION"));
        Assert.That(lines[1], Does.Contain("Blocked on me").And.Contain("waits for you").And.EndWith(waiting.SessionId));
    }

    [TestCase("list", "everything")]
    [TestCase("projects", "add")]
    [TestCase("send", "only-an-id")]
    [TestCase("attach")]
    [TestCase("--notify=loud")]
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
        Assert.That(output, Does.Contain("telec list [sessions|computers|projects] [--waiting] [--json]").And.Contain("--socket PATH")
            .And.Contain("telec projects add PATH").And.Contain("telec send SESSION_ID TEXT").And.Contain("telec attach SESSION_ID"));
    }
}
