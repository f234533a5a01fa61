using System.Diagnostics;
using System.Text;

namespace TeleClaude.Daemon.Tests.Install;

/// <summary>
/// Both commands as a user installs them: the daemon and telec packed as .NET tools from this checkout's build
/// (<c>dotnet pack</c>) and installed with <c>dotnet tool install --tool-path</c> into a temp directory, from that local
/// package folder only (a nuget.config that clears every other source: nothing is fetched, nothing else can be picked).
/// </summary>
internal sealed class InstalledTools : IDisposable
{
    private InstalledTools(string root) => Root = root;

    public string Root { get; }

    public string ToolPath => Path.Combine(Root, "tools");

    public string Teleclaude => Path.Combine(ToolPath, "teleclaude");

    public string Telec => Path.Combine(ToolPath, "telec");

    public static async Task<InstalledTools> PackAndInstallAsync(CancellationToken cancellationToken)
    {
        var tools = new InstalledTools(Path.Combine(Path.GetTempPath(), "tc-tools-" + Guid.NewGuid().ToString("N")[..8]));
        var packages = Path.Combine(tools.Root, "packages");
        Directory.CreateDirectory(packages);
        await File.WriteAllTextAsync(Path.Combine(tools.Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """, cancellationToken);

        var (repository, configuration) = Checkout();
        foreach (var (project, output) in new[] { ("src/TeleClaude.Daemon/TeleClaude.Daemon.csproj", "TeleClaude.Daemon.dll"), ("clients/Telec/Telec.csproj", "telec.dll") })
        {
            var path = Path.Combine(repository, project);
            // The test run has just built them: pack those outputs (no second build beside the running tests, no restore),
            // unless one is missing or from another commit (a run of this test project alone does not build telec).
            var dll = Path.Combine(Path.GetDirectoryName(path)!, "bin", configuration, "net10.0", output);
            var built = File.Exists(dll) && FileVersionInfo.GetVersionInfo(dll).ProductVersion == CommandLine.BuildInfo.Version;
            // No MSBuild nodes or compiler server left running after the test (every process a test starts ends with it).
            string[] args = ["pack", path, "-c", configuration, "-o", packages, "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false", .. built ? new[] { "--no-build" } : []];
            var pack = await RunAsync("dotnet", args, null, null, tools.Root, TimeSpan.FromMinutes(5), cancellationToken);
            Assert.That(pack.ExitCode, Is.Zero, $"dotnet {string.Join(' ', args)}:\n{pack.Output}\n{pack.Error}");
        }

        foreach (var package in new[] { "TeleClaude", "TeleClaude.Telec" })
        {
            var version = Directory.GetFiles(packages, package + ".*.nupkg")
                .Select(f => Path.GetFileNameWithoutExtension(f)[(package.Length + 1)..])
                .Single(v => char.IsAsciiDigit(v[0]));
            var install = await RunAsync(
                "dotnet",
                ["tool", "install", package, "--version", version, "--tool-path", tools.ToolPath, "--configfile", Path.Combine(tools.Root, "nuget.config")],
                null, null, tools.Root, TimeSpan.FromMinutes(3), cancellationToken);
            Assert.That(install.ExitCode, Is.Zero, $"dotnet tool install {package}:\n{install.Output}\n{install.Error}");
        }

        return tools;
    }

    /// <summary>Runs a program to its end (bounded), in the tools' directory unless told otherwise, with the user's configuration kept out.</summary>
    public Task<(int ExitCode, string Output, string Error)> RunAsync(
        string program, IEnumerable<string> args, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null, string? stdin = null) =>
        RunAsync(program, args, environment, stdin, Root, TimeSpan.FromSeconds(60), cancellationToken);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The repository above the test output, and the configuration the tests were built in (bin/CONFIG/net10.0).</summary>
    internal static (string Repository, string Configuration) Checkout()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        for (var dir = output; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TeleClaude.sln")))
            {
                return (dir.FullName, output.Parent!.Name);
            }
        }

        throw new DirectoryNotFoundException($"No TeleClaude.sln above {output.FullName}.");
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, string? stdin, string directory, TimeSpan limit,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "tc-no-user-config");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var error = new StringBuilder();
        var outputTask = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errorTask = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program may exit without reading its stdin.
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(bounded.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        output.Append(await outputTask);
        error.Append(await errorTask);
        return (process.ExitCode, output.ToString(), error.ToString());
    }
}
