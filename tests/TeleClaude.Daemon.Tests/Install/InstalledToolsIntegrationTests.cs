using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.CommandLine;

namespace TeleClaude.Daemon.Tests.Install;

/// <summary>
/// The two commands as installed .NET tools (packed once for the fixture, installed into a temp tool path): the daemon
/// runs from there on a temp socket and the installed telec reads it; versions match the build; the user service's
/// unit passes <c>systemd-analyze verify</c>; completion scripts for each shell come from the commands themselves.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class InstalledToolsIntegrationTests
{
    private InstalledTools _tools = null!;
    private string _scratch = null!;

    [OneTimeSetUp]
    public async Task PackAndInstall()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        _tools = await InstalledTools.PackAndInstallAsync(limit.Token);
        _scratch = Path.Combine(Path.GetTempPath(), "tc-inst-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_scratch);
    }

    [OneTimeTearDown]
    public void Remove()
    {
        _tools?.Dispose();
        if (_scratch is not null && Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Version_OfBothInstalledCommands_IsTheBuildsVersionWithItsCommit(CancellationToken cancellationToken)
    {
        var daemon = await _tools.RunAsync(_tools.Teleclaude, ["--version"], cancellationToken);
        var telec = await _tools.RunAsync(_tools.Telec, ["--version"], cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(daemon, Is.EqualTo((0, BuildInfo.Describe() + "\n", "")));
            Assert.That(telec, Is.EqualTo((0, BuildInfo.Describe() + "\n", "")));
        });
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task InstalledDaemon_ServesOnATempSocket_AndInstalledTelecListsItsSessionsAsJson(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(_scratch, "run");
        Directory.CreateDirectory(directory);
        var socket = Path.Combine(directory, "d.sock");
        using var daemon = StartLongRunning(
            _tools.Teleclaude,
            ["run", "--socket", socket, "--db", Path.Combine(directory, "d.db"), "--computer", "installed",
                "--TeleClaude:Sessions:TmuxSocketName=tc-inst-" + Guid.NewGuid().ToString("N")[..8]]);
        try
        {
            await WaitUntilServingAsync(daemon, socket, cancellationToken);

            var sessions = await _tools.RunAsync(_tools.Telec, ["list", "--json", "--socket", socket], cancellationToken);
            var computers = await _tools.RunAsync(_tools.Telec, ["list", "computers", "--json", "--socket", socket], cancellationToken);
            var status = await _tools.RunAsync(_tools.Teleclaude, ["service", "status", "--socket", socket], cancellationToken);
            using var rest = new TeleClaudeRestClient(socket);
            var health = await rest.HealthAsync(cancellationToken);

            Assert.Multiple(() =>
            {
                Assert.That(sessions.ExitCode, Is.Zero, sessions.Error);
                Assert.That(JsonDocument.Parse(sessions.Output).RootElement.ValueKind, Is.EqualTo(JsonValueKind.Array));
                Assert.That(computers.ExitCode, Is.Zero, computers.Error);
                Assert.That(JsonDocument.Parse(computers.Output).RootElement[0].GetProperty("name").GetString(), Is.EqualTo("installed"));
                Assert.That(health.Version, Is.EqualTo(BuildInfo.Version));
                Assert.That(health.Contract, Is.EqualTo(ContractVersion.Current));
                Assert.That(status.ExitCode, Is.Zero, status.Output + status.Error);
                Assert.That(status.Output, Does.Contain($"daemon: ok on {socket} (computer installed, version {BuildInfo.Version}, contract {ContractVersion.Current}"));
            });
        }
        finally
        {
            await TerminateAsync(daemon, cancellationToken);
        }

        Assert.That(daemon.ExitCode, Is.Zero, "SIGTERM is a clean stop, as the service unit expects");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ServiceInstall_WritesAUserUnitForTheInstalledCommand_ThatSystemdAnalyzeVerifies(CancellationToken cancellationToken)
    {
        var configHome = Path.Combine(_scratch, "config-" + Guid.NewGuid().ToString("N")[..6]);
        var environment = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = configHome };

        var install = await _tools.RunAsync(_tools.Teleclaude, ["service", "install", "--no-start", "--tcp", "http://127.0.0.1:8765"], cancellationToken, environment);
        var unitPath = Path.Combine(configHome, "systemd", "user", "teleclaude.service");
        var verify = await _tools.RunAsync("systemd-analyze", ["verify", unitPath], cancellationToken);
        var status = await _tools.RunAsync(_tools.Teleclaude, ["service", "status", "--socket", Path.Combine(_scratch, "nobody.sock")], cancellationToken, environment);
        var uninstall = await _tools.RunAsync(_tools.Teleclaude, ["service", "uninstall"], cancellationToken, environment);

        Assert.That(install.ExitCode, Is.Zero, install.Output + install.Error);
        Assert.That(install.Output, Does.Contain($"wrote {unitPath}"));
        Assert.Multiple(() =>
        {
            Assert.That(verify, Is.EqualTo((0, "", "")), "systemd-analyze verify: no complaint");
            Assert.That(status.ExitCode, Is.EqualTo(3), status.Output);
            Assert.That(status.Output, Does.Contain($"service file: {unitPath} (installed)").And.Contain("daemon: none answers on"));
            Assert.That(uninstall.ExitCode, Is.Zero, uninstall.Output + uninstall.Error);
            Assert.That(uninstall.Output, Does.Contain($"removed {unitPath}"));
            Assert.That(File.Exists(unitPath), Is.False);
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ServiceUnit_RunsTheInstalledCommandWithTheGivenSettings_RestartsOnFailure_AndLogsToTheJournal(CancellationToken cancellationToken)
    {
        var (exitCode, unit, error) = await _tools.RunAsync(_tools.Teleclaude, ["service", "install", "--print", "--tcp", "http://127.0.0.1:8765"], cancellationToken);

        Assert.That(exitCode, Is.Zero, error);
        var lines = unit.Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(lines, Does.Contain($"ExecStart={_tools.Teleclaude} run --tcp http://127.0.0.1:8765"));
            Assert.That(lines, Does.Contain("Restart=on-failure"));
            Assert.That(lines, Does.Contain("RestartPreventExitStatus=2"), "a configuration error is not retried");
            Assert.That(lines, Does.Contain("Environment=Logging__Console__FormatterName=systemd"));
            Assert.That(lines, Does.Contain("Environment=Logging__LogLevel__Default=Warning"), "quiet by default");
            Assert.That(lines, Does.Contain("WantedBy=default.target"));
        });
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ServiceInstall_RefusesBadSettings_WithExitTwo(CancellationToken cancellationToken)
    {
        var (exitCode, output, error) = await _tools.RunAsync(_tools.Teleclaude, ["service", "install", "--print", "--TeleClaude:Access:AllowedHosts:0=*"], cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(output, Is.Empty);
            Assert.That(error, Does.StartWith("teleclaude: invalid configuration"));
        });
    }

    [TestCase("teleclaude", "bash")]
    [TestCase("teleclaude", "zsh")]
    [TestCase("teleclaude", "fish")]
    [TestCase("telec", "bash")]
    [TestCase("telec", "zsh")]
    [TestCase("telec", "fish")]
    [CancelAfter(30_000)]
    public async Task Completions_PrintAScriptThatAsksTheCommandItself(string command, string shell, CancellationToken cancellationToken)
    {
        var (exitCode, script, error) = await _tools.RunAsync(Path.Combine(_tools.ToolPath, command), ["completions", shell], cancellationToken);

        Assert.That(exitCode, Is.Zero, error);
        var registration = shell switch
        {
            "bash" => $"complete -o default -F _{command}_complete {command}",
            "zsh" => $"compdef _{command}_complete {command}",
            _ => $"complete -c {command} -f -a '(_{command}_complete)'",
        };
        Assert.That(script, Does.Contain($"{command} \"[suggest:").And.Contain(registration));
    }

    [TestCase("bash", "teleclaude serv", "service")]
    [TestCase("bash", "teleclaude service ", "install\nstatus\nuninstall")]
    [TestCase("bash", "teleclaude completions ", "bash\nfish\nzsh")]
    [TestCase("bash", "teleclaude run --so", "--socket")]
    [TestCase("bash", "telec projects a", "add")]
    [TestCase("bash", "telec list ", "computers\nprojects\nsessions")]
    [TestCase("zsh", "teleclaude service ", "install\nstatus\nuninstall")]
    [TestCase("zsh", "telec list ", "computers\nprojects\nsessions")]
    [TestCase("fish", "teleclaude service ", "install\nstatus\nuninstall")]
    [TestCase("fish", "telec projects a", "add")]
    [CancelAfter(30_000)]
    public async Task ShellCompletion_OffersWhatTheCommandModelHas(string shell, string line, string expected, CancellationToken cancellationToken)
    {
        var command = line[..line.IndexOf(' ', StringComparison.Ordinal)];
        var script = Path.Combine(_scratch, $"{command}.{shell}");
        var (_, text, _) = await _tools.RunAsync(Path.Combine(_tools.ToolPath, command), ["completions", shell], cancellationToken);
        await File.WriteAllTextAsync(script, text, cancellationToken);
        var words = line.Split(' ');
        var cursor = line.Length.ToString(CultureInfo.InvariantCulture);

        var (program, code) = shell switch
        {
            // What bash does on Tab: set the COMP_* variables and call the registered function.
            "bash" => ("bash", $$"""
                source '{{script}}'
                COMP_LINE='{{line}}'; COMP_POINT={{cursor}}
                COMP_WORDS=({{string.Join(' ', words.Select(w => $"'{w}'"))}}); COMP_CWORD={{(words.Length - 1).ToString(CultureInfo.InvariantCulture)}}
                _{{command}}_complete
                printf '%s\n' "${COMPREPLY[@]}"
                """),
            // zsh's completion widget sets BUFFER and CURSOR and takes the candidates through compadd; outside an interactive
            // shell those are stood in for, and the function the script registers is called as the widget would.
            "zsh" => ("zsh", $$"""
                compdef() { : }
                source '{{script}}'
                compadd() { [[ $1 == -a ]] && print -rl -- ${(P)2} }
                _files() { print -r -- FILES }
                BUFFER='{{line}}'; CURSOR={{cursor}}
                _{{command}}_complete
                """),
            // fish completes a line non-interactively with `complete -C`.
            _ => ("fish", $"source '{script}'; complete -C'{line}'"),
        };
        var (exitCode, output, error) = await _tools.RunAsync(
            program, ["-c", code], cancellationToken,
            new Dictionary<string, string> { ["PATH"] = _tools.ToolPath + ":" + Environment.GetEnvironmentVariable("PATH") });

        Assert.That(exitCode, Is.Zero, error);
        var offered = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(c => !c.StartsWith('-') || expected.StartsWith('-'))
            .Where(c => !c.StartsWith('/'));
        Assert.That(offered, Is.EqualTo(expected.Split('\n')), $"{shell} completing '{line}'");
    }

    private static Process StartLongRunning(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "tc-no-user-config");
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilServingAsync(Process daemon, string socket, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Assert.That(daemon.HasExited, Is.False, "the installed daemon exited before serving");
            if (File.Exists(socket))
            {
                try
                {
                    using var rest = new TeleClaudeRestClient(socket);
                    await rest.HealthAsync(cancellationToken);
                    return;
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                }
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task TerminateAsync(Process daemon, CancellationToken cancellationToken)
    {
        if (daemon.HasExited)
        {
            return;
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", daemon.Id.ToString(CultureInfo.InvariantCulture) } })!)
        {
            await kill.WaitForExitAsync(cancellationToken);
        }

        try
        {
            await daemon.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            daemon.Kill(entireProcessTree: true);
            throw;
        }
    }
}
