using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Telec.Tests.Infrastructure;

/// <summary>
/// The real telec in a real terminal: a private tmux server (its own socket file, so nothing else on the machine
/// can touch it) with one pane (140x40 unless told) running telec. Keys go in with send-keys, the screen comes out with
/// capture-pane. Disposing kills the server.
/// </summary>
internal sealed class TmuxTerminal : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private readonly string _directory;

    private TmuxTerminal(string directory) => _directory = directory;

    private string TmuxSocket => Path.Combine(_directory, "tmux.sock");

    /// <summary>telec's exit code, written by the pane's shell once telec ends.</summary>
    public string ExitCodeFile => Path.Combine(_directory, "exit-code");

    /// <summary>telec's standard error (the UI owns the terminal; diagnostics land here).</summary>
    public string ErrorFile => Path.Combine(_directory, "stderr");

    /// <summary>telec's own settings file for this terminal (written by <see cref="StartTelecAsync"/> when given).</summary>
    public string ConfigFile => Path.Combine(_directory, "teleclaude", "telec.json");

    /// <summary>The folder telec runs in (its current directory: what <c>a</c> proposes).</summary>
    public string WorkingDirectory => _directory;

    /// <summary>
    /// Starts telec in a fresh private tmux server. <paramref name="insideTmux"/> false (the default) runs it with TMUX
    /// unset, as from a plain terminal: attaching then happens in the foreground. <paramref name="settingsJson"/> becomes
    /// its telec.json.
    /// </summary>
    public static async Task<TmuxTerminal> StartTelecAsync(string daemonSocket, bool insideTmux = false, string? settingsJson = null, string extraArgs = "", int width = 140, int height = 40)
    {
        var directory = Path.Combine(Path.GetTempPath(), "tcx-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        var terminal = new TmuxTerminal(directory);
        if (settingsJson is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(terminal.ConfigFile)!);
            await File.WriteAllTextAsync(terminal.ConfigFile, settingsJson);
        }

        // Its own XDG_CONFIG_HOME: the settings of the machine's user never leak into a test.
        var env = $"env {(insideTmux ? "" : "-u TMUX ")}XDG_CONFIG_HOME='{directory}' ";
        var command = $"cd '{directory}' && {env}{TelecBinary.ShellCommand} --socket '{daemonSocket}' {extraArgs} 2>'{terminal.ErrorFile}'; echo $? > '{terminal.ExitCodeFile}'";
        await terminal.TmuxAsync(["new-session", "-d", "-s", "telec", "-x", width.ToString(CultureInfo.InvariantCulture), "-y", height.ToString(CultureInfo.InvariantCulture), command], check: true);
        return terminal;
    }

    /// <summary>Runs a tmux command against this terminal's server (e.g. list-windows).</summary>
    public async Task<string> TmuxOutputAsync(params string[] args) => (await TmuxAsync(args, check: true)).Output;

    public async Task<string> CaptureAsync() => (await TmuxAsync(["capture-pane", "-p", "-t", "telec:0"], check: false)).Output;

    public Task SendKeysAsync(params string[] keys) => TmuxAsync(["send-keys", "-t", "telec:0", .. keys], check: true);

    /// <summary>True while the tmux session (and so telec) runs.</summary>
    public async Task<bool> IsRunningAsync() => (await TmuxAsync(["has-session", "-t", "telec"], check: false)).ExitCode == 0;

    /// <summary>Polls the screen until <paramref name="condition"/> holds; fails with the last screen after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? DefaultWait;
        var screen = "";
        while (deadline.Elapsed < limit)
        {
            screen = await CaptureAsync();
            if (condition(screen))
            {
                return screen;
            }

            await Task.Delay(20);
        }

        var stderr = File.Exists(ErrorFile) ? await File.ReadAllTextAsync(ErrorFile) : "";
        var exit = File.Exists(ExitCodeFile) ? "telec exited with " + (await File.ReadAllTextAsync(ExitCodeFile)).Trim() : "telec runs";
        Assert.Fail($"Timed out after {limit.TotalSeconds:0} s waiting until {what} ({exit}). Last screen:\n{screen}\nstderr:\n{stderr}");
        return screen;
    }

    public Task<string> WaitForTextAsync(string text, TimeSpan? timeout = null) =>
        WaitForAsync(s => s.Contains(text, StringComparison.Ordinal), $"the screen shows \"{text}\"", timeout);

    public async ValueTask DisposeAsync()
    {
        await TmuxAsync(["kill-server"], check: false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<(int ExitCode, string Output)> TmuxAsync(string[] args, bool check)
    {
        var start = new ProcessStartInfo("tmux")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-S");
        start.ArgumentList.Add(TmuxSocket);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A UTF-8 locale so tmux passes the tree glyphs and box lines through unchanged.
        start.Environment["LANG"] = "C.UTF-8";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("tmux is not installed; run `apt-get install -y tmux` (.ci/run does).", ex);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"tmux {string.Join(' ', args)} did not finish within 10 s.");
            }

            var text = new StringBuilder(await output);
            var problem = await error;
            if (check && process.ExitCode != 0)
            {
                throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed ({process.ExitCode}): {problem}");
            }

            return (process.ExitCode, text.ToString());
        }
    }
}
