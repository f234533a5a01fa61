using System.ComponentModel;
using CliWrap;
using CliWrap.Buffered;

namespace TeleClaude.Daemon.Service;

/// <summary>
/// The platform's service manager, driven through its own command (<c>systemctl --user</c> or <c>launchctl</c>), with a time
/// limit. Where it is missing or does not answer (a container, a machine without a user session manager), calls say so
/// instead of throwing: writing the service file is still useful.
/// </summary>
internal sealed class ServiceManager(string program)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    public string Program { get; } = program;

    public static ServiceManager ForThisPlatform() => new(OperatingSystem.IsMacOS() ? "launchctl" : "systemctl");

    /// <summary>Runs the manager; <c>Ok</c> false with its own words (or why it could not run) when it fails.</summary>
    public async Task<(bool Ok, string Output)> RunAsync(params string[] args)
    {
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            var result = await Cli.Wrap(Program).WithArguments(args).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(timeout.Token);
            var output = (result.StandardOutput.Trim() + " " + result.StandardError.Trim()).Trim();
            return (result.ExitCode == 0, output.ReplaceLineEndings(" "));
        }
        catch (Win32Exception)
        {
            return (false, $"{Program} is not available on this computer");
        }
        catch (OperationCanceledException)
        {
            return (false, $"{Program} did not answer within {Limit.TotalSeconds:0} s");
        }
    }
}
