using TeleClaude.Client;
using TeleClaude.Contracts;

namespace Telec.Cli;

/// <summary>
/// Whether the daemon speaks this telec's wire contract (<see cref="ContractVersion"/>, on <c>/health</c>), so a telec
/// and a daemon from different builds say so in one line instead of failing on the first answer they misread.
/// </summary>
internal static class ContractCheck
{
    /// <summary>Daemons from before the contract was numbered report none; they speak the first one.</summary>
    private const int Unnumbered = 1;

    /// <summary>Null when they match; otherwise the line to print.</summary>
    public static async Task<string?> ProblemAsync(TeleClaudeRestClient rest, string socketPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rest);
        var health = await rest.HealthAsync(cancellationToken);
        return Describe(health, socketPath);
    }

    internal static string? Describe(HealthReport health, string socketPath)
    {
        ArgumentNullException.ThrowIfNull(health);
        var contract = health.Contract ?? Unnumbered;
        return contract == ContractVersion.Current
            ? null
            : $"the daemon at {socketPath} (version {health.Version}) speaks contract {contract}; this telec "
              + $"(version {TeleClaude.Daemon.CommandLine.BuildInfo.Version}) speaks contract {ContractVersion.Current}. "
              + $"Install the telec of the daemon's version (or the daemon of this one): {(contract > ContractVersion.Current ? "this telec is older" : "the daemon is older")}.";
    }
}
