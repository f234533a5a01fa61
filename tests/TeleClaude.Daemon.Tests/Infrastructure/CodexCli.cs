namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// The real Codex CLI, run offline against a <see cref="ScriptedResponsesServer"/> with its own HOME and CODEX_HOME.
/// Found through <c>TELECLAUDE_CODEX_CLI</c>, else where <c>.ci/run</c> installs it, else the machine's shared copy.
/// It is npm's <c>codex</c> command (a node launcher of the native binary), as a user runs it.
/// </summary>
internal static class CodexCli
{
    public const string Version = "0.169.0";
    private const string Relative = "node_modules/@openai/codex/bin/codex.js";

    /// <summary>The environment variable the scripted provider reads its (fake) API key from.</summary>
    public const string KeyVariable = "TELECLAUDE_TEST_CODEX_KEY";

    public static string Path
    {
        get
        {
            string?[] candidates =
            [
                Environment.GetEnvironmentVariable("TELECLAUDE_CODEX_CLI"),
                System.IO.Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".cache", "teleclaude-ci", "codex-cli-" + Version, Relative),
                System.IO.Path.Combine("/tmp/codex-cli", Relative),
            ];
            return candidates.FirstOrDefault(File.Exists)
                ?? throw new AssertionException(
                    $"The Codex CLI {Version} is not installed: run `bash .ci/run` once (it installs it with npm into ~/.cache/teleclaude-ci), or set TELECLAUDE_CODEX_CLI to its bin/codex.js.");
        }
    }

    /// <summary>
    /// Fills a HOME for one test with <c>.codex/config.toml</c>: the scripted server as the model provider (Responses
    /// API, key from <see cref="KeyVariable"/>), <paramref name="projectPath"/> trusted (no trust screen), no update
    /// check, no analytics, and an approval policy that asks before a command leaves the sandbox.
    /// </summary>
    public static void CreateHome(string home, string projectPath, ScriptedResponsesServer model)
    {
        var codexHome = System.IO.Path.Combine(home, ".codex");
        Directory.CreateDirectory(codexHome);
        File.WriteAllText(System.IO.Path.Combine(codexHome, "config.toml"), $"""
            model = "gpt-test"
            model_provider = "scripted"
            approval_policy = "on-request"
            sandbox_mode = "workspace-write"
            check_for_update_on_startup = false

            [model_providers.scripted]
            name = "Scripted"
            base_url = {Toml(model.BaseUrl)}
            env_key = "{KeyVariable}"
            wire_api = "responses"
            request_max_retries = 0
            stream_max_retries = 0

            [projects.{Toml(projectPath)}]
            trust_level = "trusted"

            [analytics]
            enabled = false

            """);
    }

    /// <summary>Daemon arguments that make agent <paramref name="agent"/> the real Codex CLI with the HOME made by <see cref="CreateHome"/>.</summary>
    public static string[] AgentArgs(string agent, string home)
    {
        // tmux sessions inherit the tmux server's environment, not the test's: `env` gives the agent its own.
        string[] command =
        [
            "env", $"HOME={home}", $"CODEX_HOME={System.IO.Path.Combine(home, ".codex")}", $"{KeyVariable}=sk-test-codex", Path,
        ];
        return
        [
            $"--TeleClaude:Agents:{agent}:Integration=codex",
            .. command.Select((part, i) => $"--TeleClaude:Agents:{agent}:Command:{i}={part}"),
        ];
    }

    private static string Toml(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
