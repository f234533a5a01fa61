using System.Diagnostics;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// A private copy of the built daemon in a temp directory, as an installed daemon would sit somewhere on disk, so a test
/// can give it its own appsettings.json without touching the one the other tests share. Files are hard links (instant, no
/// space) where the file system allows, else copies; the appsettings.json link is replaced, never written through.
/// </summary>
internal sealed class DaemonInstall : IDisposable
{
    private DaemonInstall(string directory) => Directory = directory;

    public string Directory { get; }

    public string Dll => Path.Combine(Directory, "TeleClaude.Daemon.dll");

    public static async Task<DaemonInstall> CreateAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "tc-install-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var source = AppContext.BaseDirectory.TrimEnd('/') + "/.";
        if (await CopyAsync(["-al", source, directory], cancellationToken) != 0 && await CopyAsync(["-a", source, directory], cancellationToken) != 0)
        {
            throw new InvalidOperationException($"Could not copy {AppContext.BaseDirectory} to {directory}.");
        }

        var install = new DaemonInstall(directory);
        install.WriteAppSettings(null);
        return install;
    }

    /// <summary>Replaces the install's appsettings.json (null: none at all).</summary>
    public void WriteAppSettings(string? json)
    {
        var path = Path.Combine(Directory, "appsettings.json");
        File.Delete(path);
        if (json is not null)
        {
            File.WriteAllText(path, json);
        }
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<int> CopyAsync(string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("cp") { RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode;
    }
}
