using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Agents;

internal static class AgentsExtensions
{
    /// <summary>What the daemon knows about each session's agent: hooks, screen prompts, status, transcripts, answers.</summary>
    public static IServiceCollection AddAgentIntegrations(this IServiceCollection services)
    {
        services.AddOptions<AgentHookOptions>().BindConfiguration(AgentHookOptions.SectionName).ValidateOnStart()
            .Validate(o => o.Client.Trim().ToLowerInvariant() is "auto" or "curl" or "dotnet", "TeleClaude:Hooks:Client must be auto, curl or dotnet.")
            .Validate(o => o.Timeout > TimeSpan.Zero && o.Timeout <= TimeSpan.FromSeconds(30), "TeleClaude:Hooks:Timeout must be between 00:00:00.001 and 00:00:30.")
            .Validate(o => o.MaxPayloadBytes is >= 1024 and <= 64 * 1024 * 1024, "TeleClaude:Hooks:MaxPayloadBytes must be between 1024 and 67108864.")
            .Validate(o => string.IsNullOrWhiteSpace(o.Directory) || Path.IsPathFullyQualified(o.Directory), "TeleClaude:Hooks:Directory must be an absolute path.")
            .Validate(o => string.IsNullOrWhiteSpace(o.GeminiHome) || Path.IsPathFullyQualified(o.GeminiHome), "TeleClaude:Hooks:GeminiHome must be an absolute path.");
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DaemonOptions>, AgentOptionsValidator>());
        services.TryAddSingleton<AgentCounters>();
        services.TryAddSingleton<AgentIntegrations>();
        services.TryAddSingleton<AgentLauncher>();
        services.TryAddSingleton<AgentStateTracker>();
        services.TryAddSingleton<TranscriptReader>();
        services.TryAddSingleton<AgentCommands>();
        return services;
    }
}

/// <summary>Checks each agent's integration and prompt patterns on start.</summary>
internal sealed class AgentOptionsValidator : IValidateOptions<DaemonOptions>
{
    public ValidateOptionsResult Validate(string? name, DaemonOptions options)
    {
        var failures = new List<string>();
        foreach (var (agent, agentOptions) in options.Agents)
        {
            var integration = agentOptions.Integration?.Trim().ToLowerInvariant();
            if (!string.IsNullOrEmpty(integration) && !AgentIntegrationKinds.All.Contains(integration))
            {
                failures.Add($"TeleClaude:Agents:{agent}:Integration '{agentOptions.Integration}' must be one of {string.Join(", ", AgentIntegrationKinds.All)}.");
            }

            for (var i = 0; i < agentOptions.PromptPatterns.Count; i++)
            {
                if (AgentIntegrations.PatternProblem(agentOptions.PromptPatterns[i]) is { } problem)
                {
                    failures.Add($"TeleClaude:Agents:{agent}:PromptPatterns:{i} is not a valid regular expression: {problem}");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
