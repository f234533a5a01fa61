using System.Diagnostics;
using System.Reflection;

namespace Telec.Tests.Infrastructure;

/// <summary>The real telec build and how to run it.</summary>
internal static class TelecBinary
{
    private static readonly Lazy<string[]> Located = new(Locate);

    /// <summary>
    /// The command that starts telec: the native binary published by this project's build
    /// (clients/Telec/bin/{Configuration}/net10.0/{rid}/publish/telec), or with <c>-p:TelecNative=false</c> the JIT build
    /// run by the dotnet host (telec.dll in clients/Telec/bin/{Configuration}/net10.0; not the copy beside the tests: that
    /// folder resolves Microsoft.Extensions.* from the ASP.NET Core framework the tests reference).
    /// </summary>
    public static IReadOnlyList<string> Command => Located.Value;

    /// <summary>True when the tests run the native (AOT) telec.</summary>
    public static bool IsNative => Command.Count == 1;

    /// <summary>The command as one shell word list, for tmux.</summary>
    public static string ShellCommand => string.Join(' ', Command.Select(a => $"'{a}'"));

    /// <summary>The dotnet host running these tests; the JIT telec runs on the same one.</summary>
    public static string Dotnet =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static string[] Locate()
    {
        // Benchmarks compare builds: TELEC_COMMAND (e.g. "dotnet /tmp/old/telec.dll") runs another telec the same way.
        if (Environment.GetEnvironmentVariable("TELEC_COMMAND") is { Length: > 0 } command)
        {
            return command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }

        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var rid = typeof(TelecBinary).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TelecNativeRid")?.Value;
        for (var dir = testOutput; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TeleClaude.sln")))
            {
                var bin = Path.Combine(dir.FullName, "clients", "Telec", "bin", configuration, framework);
                if (!string.IsNullOrEmpty(rid))
                {
                    var native = Path.Combine(bin, rid, "publish", "telec");
                    return File.Exists(native) ? [native] : throw new FileNotFoundException($"The native telec is not published; expected {native}.", native);
                }

                var dll = Path.Combine(bin, "telec.dll");
                return File.Exists(dll) ? [Dotnet, dll] : throw new FileNotFoundException($"telec is not built; expected {dll}.", dll);
            }
        }

        throw new DirectoryNotFoundException($"No TeleClaude.sln above {testOutput.FullName}.");
    }

    /// <summary>Runs telec to completion without a terminal (stdin/stdout redirected); bounded.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => await RunWithInputAsync(null, args);

    /// <summary>As <see cref="RunAsync"/>, with <paramref name="input"/> on stdin.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunWithInputAsync(string? input, params string[] args)
    {
        var start = new ProcessStartInfo(Command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in Command.Skip(1).Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

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
