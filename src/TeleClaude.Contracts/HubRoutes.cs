namespace TeleClaude.Contracts;

/// <summary>Paths of the daemon's endpoints.</summary>
public static class HubRoutes
{
    /// <summary>The SignalR hub implementing <see cref="ISessionsHub"/>.</summary>
    public const string Sessions = "/hubs/sessions";
}
