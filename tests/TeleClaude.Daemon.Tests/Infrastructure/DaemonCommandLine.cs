using System.Collections.Concurrent;
using System.Diagnostics;
using TeleClaude.Client;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// The real daemon as a user starts it: <c>dotnet TeleClaude.Daemon.dll ...</c> in its own process (through Program's entry
/// point, exit codes and all), from a working directory and with environment variables of the test's choice. Output is
/// collected; every wait is bounded by the caller's token; the process is killed (by its id) on dispose if still running.
/// </summary>
internal sealed class DaemonCommandLine : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DaemonCommandLine(Process process) => _process = process;

    /// <summary>The daemon next to the tests (the project reference copies it into the test output).</summary>
    public static string DefaultDll => Path.Combine(AppContext.BaseDirectory, "TeleClaude.Daemon.dll");

    public int ProcessId => _process.Id;

    public string Stdout => string.Join("\n", _stdout);

    public string Stderr => string.Join("\n", _stderr);

    public static DaemonCommandLine Start(IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, string? dll = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(dll ?? DefaultDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The user's own configuration file must never leak into a test, unless the test names one.
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "tc-no-user-config");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var daemon = new DaemonCommandLine(process);
        process.OutputDataReceived += (_, e) => Collect(daemon._stdout, daemon._outputClosed, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(daemon._stderr, daemon._errorClosed, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    /// <summary>Waits until the process has exited and all its output is read; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>Waits until the daemon answers /health on <paramref name="socketPath"/>; fails early if it exits.</summary>
    public async Task WaitUntilServingAsync(string socketPath, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                await WaitForExitAsync(cancellationToken);
                Assert.Fail($"The daemon exited with {_process.ExitCode} before serving.\nstderr: {Stderr}\nstdout: {Stdout}");
            }

            if (File.Exists(socketPath))
            {
                try
                {
                    using var rest = new TeleClaudeRestClient(socketPath);
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

    /// <summary>Sends SIGTERM, as a service manager or <c>kill</c> does, and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(CancellationToken cancellationToken)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
        {
            await kill.WaitForExitAsync(cancellationToken);
        }

        return await WaitForExitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _process.Dispose();
    }

    private static void Collect(ConcurrentQueue<string> lines, TaskCompletionSource closed, string? line)
    {
        if (line is null)
        {
            closed.TrySetResult();
        }
        else
        {
            lines.Enqueue(line);
        }
    }
}
