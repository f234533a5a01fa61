using System.Text.Json.Nodes;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// The real Gemini CLI, run offline against a <see cref="ScriptedGeminiServer"/> with its own HOME. Found through
/// <c>TELECLAUDE_GEMINI_CLI</c>, else where <c>.ci/run</c> installs it, else the machine's shared copy.
/// </summary>
internal static class GeminiCli
{
    public const string Version = "0.61.0";
    private const string Relative = "node_modules/@google/gemini-cli/bundle/gemini.js";

    public static string Path
    {
        get
        {
            string?[] candidates =
            [
                Environment.GetEnvironmentVariable("TELECLAUDE_GEMINI_CLI"),
                System.IO.Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".cache", "teleclaude-ci", "gemini-cli-" + Version, Relative),
                System.IO.Path.Combine("/tmp/gemini-cli", Relative),
            ];
            return candidates.FirstOrDefault(File.Exists)
                ?? throw new AssertionException(
                    $"The Gemini CLI {Version} is not installed: run `bash .ci/run` once (it installs it with npm into ~/.cache/teleclaude-ci), or set TELECLAUDE_GEMINI_CLI to its bundle/gemini.js.");
        }
    }

    /// <summary>Any key: the scripted server does not check it, and Gemini CLI only needs one to skip its sign-in dialog.</summary>
    public const string ApiKey = "gemini-test-key";

    /// <summary>
    /// Fills a HOME for one test: <c>.gemini/settings.json</c> choosing API-key sign-in (no auth dialog), no update
    /// checks or usage statistics, and the user's own AfterAgent hook, which touches <c>user-hook-ran</c> in the HOME (to
    /// prove our extension's hooks run beside the user's); <c>trustedFolders.json</c> trusting <paramref name="projectPath"/>
    /// unless <paramref name="trusted"/> is false (then Gemini asks on start whether to trust the folder).
    /// </summary>
    public static void CreateHome(string home, string projectPath, bool trusted = true)
    {
        var gemini = System.IO.Path.Combine(home, ".gemini");
        Directory.CreateDirectory(gemini);
        var marker = System.IO.Path.Combine(home, "user-hook-ran");
        File.WriteAllText(System.IO.Path.Combine(gemini, "settings.json"), new JsonObject
        {
            ["security"] = new JsonObject { ["auth"] = new JsonObject { ["selectedType"] = "gemini-api-key" } },
            ["general"] = new JsonObject { ["enableAutoUpdate"] = false, ["enableAutoUpdateNotification"] = false },
            ["privacy"] = new JsonObject { ["usageStatisticsEnabled"] = false },
            ["hooks"] = new JsonObject
            {
                ["AfterAgent"] = new JsonArray(new JsonObject
                {
                    ["hooks"] = new JsonArray(new JsonObject { ["type"] = "command", ["command"] = $"touch '{marker}'" }),
                }),
            },
        }.ToJsonString());
        if (trusted)
        {
            File.WriteAllText(System.IO.Path.Combine(gemini, "trustedFolders.json"), new JsonObject { [projectPath] = "TRUST_FOLDER" }.ToJsonString());
        }
    }

    /// <summary>
    /// Daemon arguments that make agent <paramref name="agent"/> the real Gemini CLI talking to <paramref name="model"/>, with the
    /// daemon writing its Gemini extension into <paramref name="home"/>.
    /// </summary>
    public static string[] AgentArgs(string agent, string home, ScriptedGeminiServer model)
    {
        // tmux sessions inherit the tmux server's environment, not the test's: `env` gives the agent its own. Without CI:
        // with CI set (as .ci/run sets it) Gemini CLI takes itself for headless and refuses to start interactively.
        string[] command =
        [
            "env", "-u", "CI", $"HOME={home}", $"GEMINI_API_KEY={ApiKey}", $"GOOGLE_GEMINI_BASE_URL={model.BaseUrl}",
            "node", Path,
        ];
        return
        [
            $"--TeleClaude:Agents:{agent}:Integration=gemini",
            $"--TeleClaude:Hooks:GeminiHome={home}",
            .. command.Select((part, i) => $"--TeleClaude:Agents:{agent}:Command:{i}={part}"),
        ];
    }
}
