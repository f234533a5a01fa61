namespace TeleClaude.Daemon.Hosting;

/// <summary>
/// The daemon's process exit codes (README "Exit codes"). A service manager should restart on 1 and 70, and not on 2:
/// that one needs a person to fix something first.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Stopped on request (SIGTERM, SIGINT / Ctrl+C).</summary>
    public const int Stopped = 0;

    /// <summary>Could not start: another daemon holds the socket, a listener cannot bind, ...</summary>
    public const int StartFailed = 1;

    /// <summary>The configuration or the database needs the operator; starting again unchanged fails the same way.</summary>
    public const int NeedsOperator = 2;

    /// <summary>A background service or the start-up failed unexpectedly (a bug; the log has the details). A restart may help.</summary>
    public const int ServiceFailed = 70;
}
