using TeleClaude.Contracts;
using Telec.Tests.Infrastructure;
using static Telec.Tests.Infrastructure.TelecScreen;

namespace Telec.Tests.Docs;

/// <summary>
/// The screen captures of the README and docs/telec.md, made the way a user would see them: the native telec at 120x26
/// against the real daemon, one session running the real Claude Code CLI (scripted model server) that asks permission,
/// one the stand-in agent. Explicit: run it to refresh the captures, and paste what it prints.
/// <c>dotnet test tests/Telec.Tests -c Release --filter "FullyQualifiedName~ScreenCapture" --logger "console;verbosity=detailed"</c>
/// </summary>
[TestFixture]
[Explicit("Prints the docs' screen captures.")]
[NonParallelizable]
public sealed class ScreenCaptureIntegrationTests
{
    [Test]
    [CancelAfter(300_000)]
    public async Task Capture_WaitingClaudeSession_AndItsTranscript()
    {
        await using var model = await ScriptedModelServer.StartAsync(
            ScriptedTurn.Bash("rm -rf build", "Clean the build"),
            ScriptedTurn.Say("Cleaned: build/ is gone. Run the tests next?"));
        var home = Path.Combine(Directory.CreateTempSubdirectory("tc-claude-").FullName, "home");
        await using var daemon = await DaemonProcess.StartAsync("demo", ClaudeCli.AgentArgs("claude", home, model));
        ClaudeCli.CreateHome(home, daemon.ProjectPath);
        Directory.CreateDirectory(Path.Combine(daemon.ProjectPath, "build"));
        using var rest = daemon.Rest();
        var echo = await daemon.CreateSessionAsync("Write the release notes", message: "summarise the changes", agent: "codex");
        var claude = await daemon.CreateSessionAsync("Clean the build", agent: "claude");

        await using var terminal = await TmuxTerminal.StartTelecAsync(daemon.SocketPath, width: 120, height: 26);
        await terminal.WaitForAsync(s => LineWith(s, "Clean the build").Contains("idle", StringComparison.Ordinal), "Claude is ready", TimeSpan.FromSeconds(90));
        await rest.SendInputAsync(claude.SessionId, "clean the build directory");
        await terminal.WaitForAsync(s => s.Contains("1 needs you", StringComparison.Ordinal), "Claude asks", TimeSpan.FromSeconds(90));
        await terminal.SendKeysAsync("w");
        var waiting = await terminal.WaitForAsync(
            s => KeysLine(s).Contains("answer: y/1 Yes", StringComparison.Ordinal) && PreviewTitle(s).Contains("Screen · Clean the build", StringComparison.Ordinal)
                && Preview(s).Contains("4. No", StringComparison.Ordinal),
            "the dialog and its answers",
            TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine("--- waiting (README) ---\n" + waiting);

        await terminal.SendKeysAsync("t");
        await terminal.SendKeysAsync("y");
        var transcript = await terminal.WaitForAsync(
            s => Preview(s).Contains("agent: Cleaned", StringComparison.Ordinal) && LineWith(s, "Clean the build").Contains("idle", StringComparison.Ordinal),
            "the transcript after the answer",
            TimeSpan.FromSeconds(90));
        TestContext.Out.WriteLine("--- transcript (docs/telec.md) ---\n" + transcript);
        Assert.That(echo.Status, Is.Not.EqualTo(SessionStatus.Terminated));
    }
}
