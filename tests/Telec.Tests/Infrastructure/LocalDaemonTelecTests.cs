namespace Telec.Tests.Infrastructure;

/// <summary>
/// A fresh local daemon ("alpha", sessions running the stand-in agent) for each test, and the telec started against it
/// (closed after the test, before the daemon).
/// </summary>
public abstract class LocalDaemonTelecTests
{
    private protected DaemonProcess Daemon { get; private set; } = null!;

    private protected TmuxTerminal? Terminal { get; private set; }

    [SetUp]
    public async Task StartDaemon() => Daemon = await DaemonProcess.StartAsync();

    [TearDown]
    public async Task StopTelecAndDaemon()
    {
        if (Terminal is not null)
        {
            await Terminal.DisposeAsync();
            Terminal = null;
        }

        await Daemon.DisposeAsync();
    }

    /// <summary>Starts telec and waits until it is connected and lists alpha.</summary>
    private protected async Task<TmuxTerminal> StartAsync(bool insideTmux = false) =>
        Terminal = await TelecSteps.StartConnectedAsync(Daemon.SocketPath, insideTmux);
}
