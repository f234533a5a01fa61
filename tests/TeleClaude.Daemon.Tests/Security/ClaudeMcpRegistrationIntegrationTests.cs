using System.Diagnostics;
using TeleClaude.Daemon.Security;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Security;

/// <summary>
/// The README's one-line MCP registration, done by the real Claude Code CLI against a real daemon's TCP
/// listener: with the token header it connects; without it, it is refused with the daemon's 401.
/// Claude Code is found at $TELECLAUDE_CLAUDE_CLI or where CI installs it (npm, see TECH-NOTES).
/// </summary>
[TestFixture]
[CancelAfter(180_000)]
internal sealed class ClaudeMcpRegistrationIntegrationTests
{
    private static string? ClaudeCli()
    {
        var candidates = new[]
        {
            Environment.GetEnvironmentVariable("TELECLAUDE_CLAUDE_CLI"),
            "/tmp/claude-cli/node_modules/@anthropic-ai/claude-code/bin/claude.exe",
        };
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(c));
    }

    private static async Task<(int ExitCode, string Output)> ClaudeAsync(string cli, string home, string workingDirectory, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(cli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["HOME"] = home;
        start.Environment["DISABLE_AUTOUPDATER"] = "1";
        start.Environment["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1";
        start.Environment["ANTHROPIC_API_KEY"] = "sk-teleclaude-test-key-not-used";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    [Test]
    public async Task ClaudeCode_RegisteredWithTheTokenHeader_Connects_AndWithoutIt_IsRefused(CancellationToken cancellationToken)
    {
        var cli = ClaudeCli();
        Assume.That(cli, Is.Not.Null, "the Claude Code CLI is not installed (set TELECLAUDE_CLAUDE_CLI)");
        var port = RedisServer.FreePort();
        await using var daemon = await DaemonProcess.StartAsync("alpha", $"--tcp=http://127.0.0.1:{port}");
        var home = Path.Combine(daemon.Directory, "claude-home");
        Directory.CreateDirectory(home);
        var url = $"http://127.0.0.1:{port}/mcp";
        var token = daemon.Get<AccessTokenFile>().GetOrCreate();

        var add = await ClaudeAsync(cli!, home, daemon.ProjectPath, ["mcp", "add", "--transport", "http", "teleclaude", url, "--header", $"Authorization: Bearer {token}"], cancellationToken);
        var addBare = await ClaudeAsync(cli!, home, daemon.ProjectPath, ["mcp", "add", "--transport", "http", "teleclaude-without-token", url], cancellationToken);
        var list = await ClaudeAsync(cli!, home, daemon.ProjectPath, ["mcp", "list"], cancellationToken);

        Assert.That(add.ExitCode, Is.Zero, add.Output);
        Assert.That(addBare.ExitCode, Is.Zero, addBare.Output);
        var lines = list.Output.Split('\n');
        Assert.That(lines.Single(l => l.StartsWith("teleclaude:", StringComparison.Ordinal)), Does.Contain("Connected"), list.Output);
        Assert.That(lines.Single(l => l.StartsWith("teleclaude-without-token:", StringComparison.Ordinal)), Does.Contain("401").And.Not.Contain("✔"), list.Output);
    }
}
