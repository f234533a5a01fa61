namespace TeleClaude.Contracts;

/// <summary>
/// The version of this wire contract (REST bodies, hub methods and pushes). It changes when a change would make a client
/// and a daemon of different builds misread each other (a member removed, renamed or retyped, a method's meaning changed);
/// members added at the end keep it. Clients compare it with the daemon's (<see cref="HealthReport.Contract"/>,
/// <see cref="ISessionsHub.GetVersion"/>) and say so when they differ.
/// </summary>
public static class ContractVersion
{
    /// <summary>The contract this build speaks.</summary>
    public const int Current = 1;
}

/// <summary>Answer of <see cref="ISessionsHub.GetVersion"/>.</summary>
/// <param name="Version">The daemon's version and commit, e.g. "0.1.0+3f2c9e1..." ("0.1.0" when built without git).</param>
/// <param name="Contract">The <see cref="ContractVersion"/> the daemon speaks.</param>
/// <param name="Computer">The daemon's computer name.</param>
public sealed record DaemonVersion(string Version, int Contract, string Computer);
