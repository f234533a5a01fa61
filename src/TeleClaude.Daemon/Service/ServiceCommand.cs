using System.CommandLine;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.CommandLine;
using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Service;

/// <summary>
/// <c>teleclaude service install|uninstall|status</c>: the daemon as a user service, a systemd user unit on Linux or a
/// launchd agent on macOS, running this same program with <c>run</c> and the settings given to <c>install</c> (the user's
/// configuration file is read as always). Everything but the service file itself goes through the platform's manager.
/// </summary>
internal static partial class ServiceCommand
{
    public static Command Build(string[] args)
    {
        var service = new Command("service", "The daemon as a user service: a systemd user unit (Linux) or a launchd agent (macOS).");

        var install = new Command("install", "Write the service file and start the daemon now and at every login. Settings given here (--tcp URL, --config PATH, --TeleClaude:Name=value) are passed to `run`.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        var print = new Option<bool>("--print") { Description = "Print the service file instead of writing it." };
        var noStart = new Option<bool>("--no-start") { Description = "Write the service file but neither enable nor start it." };
        install.Add(print);
        install.Add(noStart);
        TeleClaudeCli.AddSettingSwitches(install);
        install.SetAction(async (parse, _) =>
        {
            var settings = TeleClaudeCli.ArgumentsAfter(parse, args).Where(a => a is not ("--print" or "--no-start")).ToArray();
            return await InstallAsync(settings, parse.GetValue(print), parse.GetValue(noStart), parse.InvocationConfiguration.Output, Console.Error);
        });

        var uninstall = new Command("uninstall", "Stop the service and remove its file (the database, token and settings stay).");
        uninstall.SetAction(async (parse, _) => await UninstallAsync(parse.InvocationConfiguration.Output, Console.Error));

        var status = new Command("status", "Say whether the service is installed, what its manager says, and whether a daemon answers. Exit 0 when one answers, 3 when none does.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        TeleClaudeCli.AddSettingSwitches(status);
        status.SetAction(async (parse, cancellationToken) =>
            await StatusAsync(TeleClaudeCli.ArgumentsAfter(parse, args), parse.InvocationConfiguration.Output, cancellationToken));

        service.Add(install);
        service.Add(uninstall);
        service.Add(status);
        return service;
    }

    private static string Home => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>The service file of this platform.</summary>
    internal static string ServiceFilePath() => OperatingSystem.IsMacOS()
        ? LaunchdAgent.PathFor(Home)
        : SystemdUnit.PathFor(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME"), Home);

    internal static string Render(IReadOnlyList<string> settings) => OperatingSystem.IsMacOS()
        ? LaunchdAgent.Render(ServiceProgram.Current(settings, forSystemd: false), LaunchdAgent.LogPathFor(Home))
        : SystemdUnit.Render(ServiceProgram.Current(settings, forSystemd: true));

    private static async Task<int> InstallAsync(string[] settings, bool print, bool noStart, TextWriter output, TextWriter error)
    {
        // The settings must be ones the daemon accepts: a service that fails on start would only say so in its log.
        var (_, _, problem) = TokenCommand.LoadOptions(settings);
        if (problem is not null)
        {
            await error.WriteLineAsync($"teleclaude: {problem}");
            return 2;
        }

        var content = Render(settings);
        if (print)
        {
            await output.WriteAsync(content);
            return 0;
        }

        var path = ServiceFilePath();
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (OperatingSystem.IsMacOS())
            {
                Directory.CreateDirectory(Path.GetDirectoryName(LaunchdAgent.LogPathFor(Home))!);
            }

            await File.WriteAllTextAsync(path, content);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"teleclaude: could not write {path}: {ex.Message}");
            return 1;
        }

        await output.WriteLineAsync($"wrote {path}");
        if (noStart)
        {
            await output.WriteLineAsync($"start it with: {StartHint()}");
            return 0;
        }

        var manager = ServiceManager.ForThisPlatform();
        var (ok, said) = OperatingSystem.IsMacOS()
            ? await RunAllAsync(manager, ["bootout", Domain() + "/" + ServiceProgram.LaunchdLabel], ["bootstrap", Domain(), path])
            : await RunAllAsync(manager, ["--user", "daemon-reload"], ["--user", "enable", "--now", ServiceProgram.SystemdUnitName]);
        if (!ok)
        {
            await error.WriteLineAsync($"teleclaude: wrote {path}, but could not start the service: {said}. Once a user service manager runs, start it with: {StartHint()}");
            return 1;
        }

        await output.WriteLineAsync($"started; logs: {LogHint()}");
        return 0;
    }

    private static async Task<int> UninstallAsync(TextWriter output, TextWriter error)
    {
        var path = ServiceFilePath();
        var manager = ServiceManager.ForThisPlatform();
        var (stopped, said) = OperatingSystem.IsMacOS()
            ? await manager.RunAsync("bootout", Domain() + "/" + ServiceProgram.LaunchdLabel)
            : await manager.RunAsync("--user", "disable", "--now", ServiceProgram.SystemdUnitName);
        if (!stopped && File.Exists(path))
        {
            await error.WriteLineAsync($"teleclaude: could not stop the service through {manager.Program} ({said}); removing its file anyway.");
        }

        if (!File.Exists(path))
        {
            await output.WriteLineAsync($"not installed ({path} does not exist)");
            return 0;
        }

        File.Delete(path);
        if (!OperatingSystem.IsMacOS())
        {
            await manager.RunAsync("--user", "daemon-reload");
        }

        await output.WriteLineAsync($"removed {path}");
        return 0;
    }

    private static async Task<int> StatusAsync(string[] settings, TextWriter output, CancellationToken cancellationToken)
    {
        var path = ServiceFilePath();
        await output.WriteLineAsync($"service file: {path} ({(File.Exists(path) ? "installed" : "not installed")})");

        var manager = ServiceManager.ForThisPlatform();
        var (ok, said) = OperatingSystem.IsMacOS()
            ? await manager.RunAsync("print", Domain() + "/" + ServiceProgram.LaunchdLabel)
            : await manager.RunAsync("--user", "is-active", ServiceProgram.SystemdUnitName);
        var state = OperatingSystem.IsMacOS() && ok ? "loaded" : said;
        await output.WriteLineAsync($"service manager: {(ok || IsAnswer(said) ? state : $"unavailable ({said})")}");

        var (daemon, _, problem) = TokenCommand.LoadOptions(settings);
        if (problem is not null)
        {
            await output.WriteLineAsync($"daemon: unknown ({problem})");
            return 2;
        }

        try
        {
            using var rest = new TeleClaudeRestClient(daemon.SocketPath);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromSeconds(5));
            var health = await rest.HealthAsync(limit.Token);
            await output.WriteLineAsync(
                $"daemon: {health.Status} on {daemon.SocketPath} (computer {health.Computer}, version {health.Version}, contract {health.Contract?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}; this program: {BuildInfo.Version}, contract {ContractVersion.Current})");
            return 0;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            await output.WriteLineAsync($"daemon: none answers on {daemon.SocketPath}");
            return 3;
        }
    }

    /// <summary>systemctl is-active answers "inactive"/"failed" with a non-zero exit: an answer, not a missing manager.</summary>
    private static bool IsAnswer(string said) => said is "inactive" or "failed" or "activating" or "deactivating" or "unknown";

    private static async Task<(bool Ok, string Said)> RunAllAsync(ServiceManager manager, string[] first, string[] second)
    {
        var (ok, said) = await manager.RunAsync(first);
        // launchd's bootout of an agent not loaded fails harmlessly; only the bootstrap must succeed.
        if (!ok && manager.Program != "launchctl")
        {
            return (false, said);
        }

        return await manager.RunAsync(second);
    }

    private static string Domain() => "gui/" + getuid().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getuid", ExactSpelling = true)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    private static extern uint getuid();

    private static string StartHint() => OperatingSystem.IsMacOS()
        ? $"launchctl bootstrap gui/$(id -u) {ServiceFilePath()}"
        : $"systemctl --user daemon-reload && systemctl --user enable --now {ServiceProgram.SystemdUnitName}";

    private static string LogHint() => OperatingSystem.IsMacOS()
        ? LaunchdAgent.LogPathFor(Home)
        : $"journalctl --user -u {ServiceProgram.SystemdUnitName}";
}
