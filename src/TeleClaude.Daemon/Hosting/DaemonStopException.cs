namespace TeleClaude.Daemon.Hosting;

/// <summary>
/// Stops the daemon on purpose: <see cref="DaemonRunner"/> prints <see cref="Exception.Message"/> as the one line an
/// operator reads (what is wrong, with what, and what to do) and exits with <see cref="ExitCode"/>.
/// </summary>
internal sealed class DaemonStopException(int exitCode, string message, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>One of <see cref="ExitCodes"/>.</summary>
    public int ExitCode { get; } = exitCode;
}
