namespace TeleClaude.Contracts;

/// <summary>
/// Methods clients invoke on the daemon's hub at <see cref="HubRoutes.Sessions"/>.
/// Unknown view names fail with a <c>HubException</c> that names the known ones.
/// </summary>
public interface ISessionsHub
{
    /// <summary>Joins a view; the full state of the view is pushed to the caller right after.</summary>
    /// <param name="view">One of <see cref="Views.All"/>.</param>
    Task Subscribe(string view);

    /// <summary>Leaves a view; no more pushes of it reach the caller.</summary>
    /// <param name="view">One of <see cref="Views.All"/>.</param>
    Task Unsubscribe(string view);

    /// <summary>Invalidates the cached data of a view, re-fetches it, and pushes the full state to the caller.</summary>
    /// <param name="view">One of <see cref="Views.All"/>.</param>
    Task Refresh(string view);

    /// <summary>
    /// Starts following one session's terminal, on this computer or another: its current screen is pushed to the
    /// caller at once (<see cref="ISessionsClient.SessionOutput"/>) and again after each change, until
    /// <see cref="Unwatch"/> or disconnect. Unknown or ended sessions fail with a <c>HubException</c>.
    /// </summary>
    /// <param name="sessionId">The session to watch.</param>
    Task Watch(string sessionId);

    /// <summary>Stops following a session's terminal; unwatching a session not watched does nothing.</summary>
    /// <param name="sessionId">The session to stop watching.</param>
    Task Unwatch(string sessionId);

    /// <summary>
    /// The daemon's version and the <see cref="ContractVersion"/> it speaks, so a client built from another version can say
    /// plainly that the two do not match instead of failing on the first message it cannot read.
    /// </summary>
    Task<DaemonVersion> GetVersion();
}
