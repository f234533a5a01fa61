using System.Diagnostics;

namespace Telec.Tests.Infrastructure;

/// <summary>The real telec build and how to run it.</summary>
internal static class TelecBinary
{
    private static readonly Lazy<string> Located = new(Locate);

    /// <summary>
    /// telec.dll in its own build output (clients/Telec/bin/{Configuration}/net10.0), built by the project reference.
    /// Not the copy beside the tests: that folder resolves Microsoft.Extensions.* from the ASP.NET Core framework
    /// the tests reference, which telec's runtimeconfig does not load.
    /// </summary>
    public static string Dll => Located.Value;

    /// <summary>The dotnet host running these tests; telec runs on the same one.</summary>
    public static string Dotnet =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static string Locate()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        for (var dir = testOutput; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TeleClaude.sln")))
            {
                var dll = Path.Combine(dir.FullName, "clients", "Telec", "bin", configuration, framework, "telec.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"telec is not built; expected {dll}.", dll);
            }
        }

        throw new DirectoryNotFoundException($"No TeleClaude.sln above {testOutput.FullName}.");
    }

    /// <summary>Runs telec to completion without a terminal (stdin/stdout redirected); bounded.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"telec {string.Join(' ', args)} did not exit within 30 s.");
        }

        return (process.ExitCode, await output, await error);
    }
}
