using System.Diagnostics;

namespace TeleClaude.LoadHarness;

/// <summary>Cleanup shared by the harness's child processes (redis-server, a child daemon).</summary>
internal static class ChildProcesses
{
    /// <summary>Kills <paramref name="process"/> with its children (bounded wait) and deletes its temp directory.</summary>
    public static async Task StopAndCleanAsync(Process process, DirectoryInfo directory)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
        }

        process.Dispose();
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
