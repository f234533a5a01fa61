using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Agents;

/// <summary>Which integration reports an agent's state, and which screen prompts mean it waits for the user.</summary>
internal static class AgentIntegrationKinds
{
    /// <summary>Claude Code: hooks registered through <c>--settings</c>.</summary>
    public const string Claude = "claude";

    /// <summary>Codex: its <c>notify</c> program, called at the end of each turn.</summary>
    public const string Codex = "codex";

    /// <summary>Gemini CLI: hooks of the TeleClaude extension the daemon installs in the Gemini home (inert outside our sessions).</summary>
    public const string Gemini = "gemini";

    /// <summary>The screen only: output means active, quiet means idle, a recognised prompt means waiting.</summary>
    public const string None = "none";

    public static readonly IReadOnlyList<string> All = [Claude, Codex, Gemini, None];

    /// <summary>
    /// Integrations whose hooks report every step of a turn (start, prompt, tool use, permission, end of turn): once
    /// such a hook arrived, hooks alone drive the status, and the screen only supplies a dialog's choices.
    /// </summary>
    public static bool ReportsEveryStep(string integration) => integration is Claude or Gemini;
}

/// <summary>Resolves each configured agent's integration and prompt patterns once.</summary>
internal sealed class AgentIntegrations
{
    /// <summary>Prompts that mean "the agent waits for you" in common agent and shell UIs; used unless an agent configures its own.</summary>
    public static readonly IReadOnlyList<string> DefaultPromptPatterns =
    [
        @"Do you want to (proceed|make this edit|create|run|allow)[^?]*\?",
        @"Would you like to (run|make|apply)[^?]*\?",
        @"Allow (execution|this|command|tool)[^?]*\?",
        @"Apply this change\?",
        @"Do you trust the files in this folder\?",
        @"\[[yY](es)?/[nN](o)?\]\s*:?\s*$",
        @"\([yY](es)?/[nN](o)?\)\s*:?\s*$",
    ];

    private readonly Dictionary<string, (string Integration, Regex[] Prompts)> _agents;

    public AgentIntegrations(IOptions<DaemonOptions> options)
    {
        _agents = options.Value.Agents.ToDictionary(
            a => a.Key,
            a => (Resolve(a.Value.Integration, a.Value.Command), Compile(a.Value.PromptPatterns.Count > 0 ? a.Value.PromptPatterns : DefaultPromptPatterns)),
            StringComparer.Ordinal);
    }

    /// <summary>The integration of <paramref name="agent"/>; <see cref="AgentIntegrationKinds.None"/> for unknown agents.</summary>
    public string IntegrationOf(string? agent) => agent is not null && _agents.TryGetValue(agent, out var a) ? a.Integration : AgentIntegrationKinds.None;

    /// <summary>The prompt patterns of <paramref name="agent"/>.</summary>
    public IReadOnlyList<Regex> PromptsOf(string? agent) =>
        agent is not null && _agents.TryGetValue(agent, out var a) ? a.Prompts : DefaultPrompts.Value;

    private static readonly Lazy<Regex[]> DefaultPrompts = new(() => Compile(DefaultPromptPatterns));

    /// <summary>The configured integration, or the one the program's name suggests (<c>claude</c>, <c>codex</c>, <c>gemini</c>), else none.</summary>
    public static string Resolve(string? configured, IReadOnlyList<string> command)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured.Trim().ToLowerInvariant();
        }

        var program = command.Count == 0 ? "" : Path.GetFileNameWithoutExtension(command[0]).ToLowerInvariant();
        return program switch
        {
            "claude" => AgentIntegrationKinds.Claude,
            "codex" => AgentIntegrationKinds.Codex,
            "gemini" => AgentIntegrationKinds.Gemini,
            _ => AgentIntegrationKinds.None,
        };
    }

    /// <summary>Why <paramref name="pattern"/> is not a usable prompt pattern, or null.</summary>
    public static string? PatternProblem(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.Multiline, TimeSpan.FromMilliseconds(100));
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }

    private static Regex[] Compile(IEnumerable<string> patterns) =>
        // A match timeout: the screen is the agent's output, and a configured pattern must not hang the watcher on it.
        patterns.Select(p => new Regex(p, RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))).ToArray();
}
