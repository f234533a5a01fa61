using System.ComponentModel;
using System.Text;
using CliWrap;
using CliWrap.Buffered;
using Microsoft.Extensions.Options;

namespace TeleClaude.Daemon.Sessions;

/// <summary>
/// Runs agent sessions as tmux sessions on the daemon's own tmux server (<c>tmux -L name</c>). Every call
/// passes arguments as a list (no shell), and input goes through <c>send-keys -l</c> (literal), so titles,
/// paths and text can never be interpreted as commands or key names (text of several lines goes through a paste buffer).
/// </summary>
internal sealed partial class TmuxRunner(IOptions<SessionRunnerOptions> options, TimeProvider time, ILogger<TmuxRunner> logger) : IDisposable
{
    private const string Prefix = "tc-";

    /// <summary>The session every session's window is linked into, so one control-mode client hears them all.</summary>
    public const string WatchSession = "teleclaude-watch";

    public static string TmuxName(string sessionId) => Prefix + sessionId;

    /// <summary>The session id of a tmux session name, or null when the tmux session is not one of ours.</summary>
    public static string? SessionIdOf(string tmuxName) =>
        tmuxName.StartsWith(Prefix, StringComparison.Ordinal) && tmuxName.Length > Prefix.Length ? tmuxName[Prefix.Length..] : null;

    // tmux 3.3a's server can crash (segfault) when a session is created while a control-mode client is still attaching
    // (reproduced here: about 1 in 8 tries when new-session follows the attach within milliseconds; none once the
    // client has answered its first command). New sessions and attaches therefore take turns.
    private readonly SemaphoreSlim _attachLock = new(1, 1);

    public string SocketName => options.Value.TmuxSocketName;

    public void Dispose() => _attachLock.Dispose();

    /// <summary>Holds off new sessions until the returned lease is disposed: for a control client's attach.</summary>
    public async Task<IDisposable> HoldNewSessionsAsync(CancellationToken cancellationToken)
    {
        await _attachLock.WaitAsync(cancellationToken);
        return new Lease(_attachLock);
    }

    /// <summary>
    /// Starts <paramref name="command"/> in <paramref name="workingDirectory"/> in a new detached tmux session, with
    /// <paramref name="environment"/> set in the session (the agent and its hooks inherit it).
    /// </summary>
    public async Task StartAsync(
        string sessionId, string workingDirectory, IReadOnlyList<string> command, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var env = (environment ?? new Dictionary<string, string>()).SelectMany(e => new[] { "-e", $"{e.Key}={e.Value}" });
        string[] args = ["new-session", "-d", "-s", TmuxName(sessionId), "-x", "200", "-y", "50", "-c", workingDirectory, .. env, "--", .. command];
        (int ExitCode, string Output, string Error) result;
        using (await HoldNewSessionsAsync(cancellationToken))
        {
            result = await RunAsync(args, cancellationToken);
        }

        if (result.ExitCode != 0)
        {
            throw new SessionRunnerException($"tmux could not start the session: {result.Error.Trim()}");
        }
    }

    /// <summary>Presses one key (a key name such as <c>1</c>, <c>y</c> or <c>Enter</c>, not literal text) in the session.</summary>
    public async Task<bool> SendKeyAsync(string sessionId, string key, CancellationToken cancellationToken) =>
        (await RunAsync(["send-keys", "-t", TmuxName(sessionId), key], cancellationToken)).ExitCode == 0;

    /// <summary>
    /// Types <paramref name="text"/> literally, then presses Enter after <see cref="SessionRunnerOptions.SubmitDelay"/>.
    /// Text of several lines goes in as one paste, as a terminal pastes it (bracketed when the program asked for that,
    /// lines ended by CR), so an agent gets one message and not one per line.
    /// </summary>
    public async Task<bool> SendAsync(string sessionId, string text, CancellationToken cancellationToken)
    {
        var target = TmuxName(sessionId);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
        if (lines.Length > 0)
        {
            var typed = lines.Contains('\n')
                ? await PasteAsync(target, lines, cancellationToken)
                : (await RunAsync(["send-keys", "-t", target, "-l", "--", lines], cancellationToken)).ExitCode == 0;
            if (!typed)
            {
                return false;
            }

            await Task.Delay(options.Value.SubmitDelay, time, cancellationToken);
        }

        return (await RunAsync(["send-keys", "-t", target, "Enter"], cancellationToken)).ExitCode == 0;
    }

    private async Task<bool> PasteAsync(string target, string text, CancellationToken cancellationToken)
    {
        // A buffer of its own (deleted by the paste), so concurrent sends and the user's own buffers never mix.
        var buffer = "tc-input-" + Guid.NewGuid().ToString("N");
        return (await RunAsync(["load-buffer", "-b", buffer, "-"], cancellationToken, input: text)).ExitCode == 0
            && (await RunAsync(["paste-buffer", "-b", buffer, "-d", "-p", "-t", target], cancellationToken)).ExitCode == 0;
    }

    /// <summary>The last <paramref name="lines"/> lines of the pane, trailing blank lines removed; null when the session is gone.</summary>
    public async Task<string?> CaptureAsync(string sessionId, int lines, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["capture-pane", "-p", "-J", "-t", TmuxName(sessionId), "-S", $"-{lines}"], cancellationToken);
        if (result.ExitCode != 0)
        {
            return null;
        }

        var all = result.Output.TrimEnd('\n', ' ').Split('\n');
        return string.Join('\n', all.TakeLast(lines)).TrimEnd();
    }

    /// <summary>
    /// Ends the session's terminal. Its window is killed first: the window is also linked into the watch session,
    /// and kill-session alone would only unlink it there and leave the agent running.
    /// </summary>
    public async Task<bool> KillAsync(string sessionId, CancellationToken cancellationToken)
    {
        var window = await RunAsync(["kill-window", "-t", $"={TmuxName(sessionId)}:"], cancellationToken);
        var session = await RunAsync(["kill-session", "-t", $"={TmuxName(sessionId)}"], cancellationToken);
        return window.ExitCode == 0 || session.ExitCode == 0;
    }

    /// <summary>Creates the watch session (a placeholder window running <c>cat</c>, which waits forever at no cost) unless it exists.</summary>
    public async Task EnsureWatchSessionAsync(CancellationToken cancellationToken)
    {
        if ((await RunAsync(["has-session", "-t", "=" + WatchSession], cancellationToken)).ExitCode == 0)
        {
            return;
        }

        var result = await RunAsync(["new-session", "-d", "-s", WatchSession, "-n", "_watch", "-x", "80", "-y", "24", "--", "cat"], cancellationToken);
        if (result.ExitCode != 0 && !result.Error.Contains("duplicate session", StringComparison.OrdinalIgnoreCase))
        {
            throw new SessionRunnerException($"tmux could not create the watch session: {result.Error.Trim()}");
        }

        // Nobody looks at the watch session: without a status line tmux does not re-format a list of every linked
        // window for the control client every status-interval.
        await RunAsync(["set-option", "-t", WatchSession, "status", "off"], cancellationToken);
    }

    /// <summary>Removes the watch session (the tmux server exits with its last session).</summary>
    public Task KillWatchSessionAsync(CancellationToken cancellationToken) => RunAsync(["kill-session", "-t", "=" + WatchSession], cancellationToken);

    /// <summary>Session ids of the tmux sessions alive now (empty when no tmux server runs).</summary>
    public async Task<IReadOnlySet<string>> AliveAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["list-sessions", "-F", "#{session_name}"], cancellationToken);
        return result.ExitCode != 0
            ? new HashSet<string>()
            : result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(SessionIdOf)
                .OfType<string>()
                .ToHashSet(StringComparer.Ordinal);
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, CancellationToken cancellationToken, string? input = null)
    {
        // CliWrap passes the arguments as a list (no shell), gives tmux an empty stdin (or the input), and kills it
        // when the token is cancelled, so a cancelled call never leaves a tmux client behind.
        BufferedCommandResult result;
        try
        {
            result = await Cli.Wrap("tmux")
                .WithArguments(["-L", options.Value.TmuxSocketName, .. args])
                .WithEnvironmentVariables(env => env.Set("TMUX", null)) // tmux refuses to nest inside a client's TMUX
                .WithValidation(CommandResultValidation.None)
                .WithStandardInputPipe(input is null ? PipeSource.Null : PipeSource.FromString(input, Encoding.UTF8))
                .ExecuteBufferedAsync(Encoding.UTF8, cancellationToken);
        }
        catch (Exception ex) when (ex is Win32Exception || ex.InnerException is Win32Exception)
        {
            throw new SessionRunnerException("tmux is not installed; sessions need it (apt-get install tmux).", ex);
        }

        if (result.ExitCode != 0)
        {
            LogTmuxFailed(args[0], result.ExitCode, result.StandardError);
        }

        return (result.ExitCode, result.StandardOutput, result.StandardError);
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Debug, Message = "tmux {Command} exited with {ExitCode}: {Error}")]
    private partial void LogTmuxFailed(string command, int exitCode, string error);
}

/// <summary>Releases a <see cref="SemaphoreSlim"/> once.</summary>
internal sealed class Lease(SemaphoreSlim semaphore) : IDisposable
{
    private int _released;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            semaphore.Release();
        }
    }
}

/// <summary>A session could not be started or driven.</summary>
internal sealed class SessionRunnerException : Exception
{
    public SessionRunnerException(string message)
        : base(message)
    {
    }

    public SessionRunnerException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
