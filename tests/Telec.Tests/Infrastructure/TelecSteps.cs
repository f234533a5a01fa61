using TeleClaude.Contracts;

namespace Telec.Tests.Infrastructure;

/// <summary>Steps several telec tests take the same way against a local daemon "alpha".</summary>
internal static class TelecSteps
{
    /// <summary>Starts telec on <paramref name="daemonSocket"/> and waits until it is connected and lists alpha.</summary>
    public static async Task<TmuxTerminal> StartConnectedAsync(string daemonSocket, bool insideTmux = false)
    {
        var terminal = await TmuxTerminal.StartTelecAsync(daemonSocket, insideTmux);
        await terminal.WaitForAsync(s => s.Contains("● connected", StringComparison.Ordinal) && s.Contains("alpha (local)", StringComparison.Ordinal), "telec is connected");
        return terminal;
    }

    /// <summary>Rows 0-2 are the computer, the project and its only session.</summary>
    public static async Task SelectOnlySessionAsync(TmuxTerminal terminal, SessionInfo session)
    {
        await terminal.WaitForTextAsync(session.Title!);
        await terminal.SendKeysAsync("Down");
        await terminal.SendKeysAsync("Down");
        await terminal.WaitForTextAsync("· " + session.Title);
    }
}
