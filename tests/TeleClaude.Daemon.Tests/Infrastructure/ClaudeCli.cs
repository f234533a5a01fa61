using System.Text.Json.Nodes;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// The real Claude Code CLI, run offline against a <see cref="ScriptedModelServer"/> with its own HOME. Found through
/// <c>TELECLAUDE_CLAUDE_CLI</c>, else where <c>.ci/run</c> installs it, else the machine's shared copy.
/// </summary>
internal static class ClaudeCli
{
    public const string Version = "2.1.328";
    private const string Relative = "node_modules/@anthropic-ai/claude-code/bin/claude.exe";

    public static string Path
    {
        get
        {
            string?[] candidates =
            [
                Environment.GetEnvironmentVariable("TELECLAUDE_CLAUDE_CLI"),
                System.IO.Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".cache", "teleclaude-ci", "claude-cli-" + Version, Relative),
                System.IO.Path.Combine("/tmp/claude-cli", Relative),
            ];
            return candidates.FirstOrDefault(File.Exists)
                ?? throw new AssertionException(
                    $"The Claude Code CLI {Version} is not installed: run `bash .ci/run` once (it installs it with npm into ~/.cache/teleclaude-ci), or set TELECLAUDE_CLAUDE_CLI to its claude.exe.");
        }
    }

    /// <summary>The fake API key; Claude Code asks to approve a custom key unless its last 20 characters are pre-approved.</summary>
    public const string ApiKey = "sk-ant-test-0123456789abcdefghijklmnop";

    /// <summary>
    /// Fills a HOME for one test: <c>.claude.json</c> that skips the onboarding, trust and API-key dialogs for
    /// <paramref name="projectPath"/>, and the user's own settings with a Stop hook that touches
    /// <c>user-hook-ran</c> in the HOME (to prove the daemon's <c>--settings</c> adds to them).
    /// </summary>
    public static void CreateHome(string home, string projectPath)
    {
        Directory.CreateDirectory(System.IO.Path.Combine(home, ".claude"));
        File.WriteAllText(System.IO.Path.Combine(home, ".claude.json"), new JsonObject
        {
            ["hasCompletedOnboarding"] = true,
            ["projects"] = new JsonObject { [projectPath] = new JsonObject { ["hasTrustDialogAccepted"] = true } },
            ["customApiKeyResponses"] = new JsonObject { ["approved"] = new JsonArray(ApiKey[^20..]) },
        }.ToJsonString());
        var marker = System.IO.Path.Combine(home, "user-hook-ran");
        File.WriteAllText(System.IO.Path.Combine(home, ".claude", "settings.json"), new JsonObject
        {
            ["hooks"] = new JsonObject
            {
                ["Stop"] = new JsonArray(new JsonObject
                {
                    ["hooks"] = new JsonArray(new JsonObject { ["type"] = "command", ["command"] = $"touch '{marker}'" }),
                }),
            },
        }.ToJsonString());
    }

    /// <summary>Daemon arguments that make agent <paramref name="agent"/> the real Claude Code CLI talking to <paramref name="model"/>.</summary>
    public static string[] AgentArgs(string agent, string home, ScriptedModelServer model)
    {
        // tmux sessions inherit the tmux server's environment, not the test's: `env` gives the agent its own.
        string[] command =
        [
            "env", $"HOME={home}", $"ANTHROPIC_BASE_URL={model.BaseUrl}", $"ANTHROPIC_API_KEY={ApiKey}",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1", "DISABLE_AUTOUPDATER=1", "DISABLE_TELEMETRY=1",
            Path, "--permission-mode", "default",
        ];
        return
        [
            $"--TeleClaude:Agents:{agent}:Integration=claude",
            .. command.Select((part, i) => $"--TeleClaude:Agents:{agent}:Command:{i}={part}"),
        ];
    }
}
