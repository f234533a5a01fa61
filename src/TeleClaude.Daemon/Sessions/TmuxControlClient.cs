using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using CliWrap;

namespace TeleClaude.Daemon.Sessions;

/// <summary>
/// One tmux control-mode client (<c>tmux -L name -C attach-session -f ignore-size -t session</c>): commands go in
/// on stdin, their output comes back between <c>%begin</c>/<c>%end</c> (or <c>%error</c>) guard lines, and every
/// other line is a notification (<c>%output</c>, <c>%window-close</c>, <c>%sessions-changed</c>, <c>%exit</c>, ...).
/// tmux runs commands in the order they arrive, so replies are matched to a FIFO of pending commands. The client
/// asks tmux to ignore its size, so attaching it never resizes an agent's window.
/// </summary>
internal sealed class TmuxControlClient : IAsyncDisposable
{
    private readonly Channel<string> _stdin = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentQueue<TaskCompletionSource<IReadOnlyList<string>>> _pending = new();
    private readonly Lock _writeLock = new();
    private readonly Action<string> _onNotification;
    private readonly CancellationTokenSource _stop;
    private readonly StringBuilder _stderr = new();

    private TmuxControlClient(Action<string> onNotification, CancellationToken cancellationToken)
    {
        _onNotification = onNotification;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Completes when the tmux client exits (the server died, the session was killed, or it was disposed).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>What tmux wrote on stderr, for the log when it exits unexpectedly.</summary>
    public string Errors
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString().Trim();
            }
        }
    }

    /// <summary>
    /// Attaches a control client to <paramref name="session"/> on the tmux server <paramref name="socketName"/>.
    /// <paramref name="onNotification"/> is called for each notification line, in order, on the reading thread: it
    /// must not block.
    /// </summary>
    public static TmuxControlClient Start(string socketName, string session, Action<string> onNotification, CancellationToken cancellationToken)
    {
        var client = new TmuxControlClient(onNotification, cancellationToken);
        var command = Cli.Wrap("tmux")
            .WithArguments(["-L", socketName, "-C", "attach-session", "-f", "ignore-size", "-t", "=" + session])
            .WithEnvironmentVariables(env => env.Set("TMUX", null))
            .WithStandardInputPipe(PipeSource.Create(client.WriteCommandsAsync))
            .WithStandardOutputPipe(PipeTarget.Create(client.ReadAsync))
            .WithStandardErrorPipe(PipeTarget.Create(async (stream, ct) =>
            {
                using var reader = new StreamReader(stream, Encoding.UTF8);
                var text = await reader.ReadToEndAsync(ct);
                lock (client._stderr)
                {
                    client._stderr.Append(text);
                }
            }))
            .WithValidation(CommandResultValidation.None);
        client.Completion = client.RunAsync(command);
        return client;
    }

    /// <summary>Runs one tmux command through the control client and returns its output lines; a tmux error throws.</summary>
    public Task<IReadOnlyList<string>> CommandAsync(string command, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_writeLock)
        {
            if (Completion.IsCompleted)
            {
                throw new TmuxControlException("The tmux control client has exited.");
            }

            // Enqueue and write under one lock: replies come back in the order the commands were written.
            _pending.Enqueue(reply);
            _stdin.Writer.TryWrite(command + "\n");
        }

        return reply.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _stdin.Writer.TryComplete(); // closing stdin makes tmux detach the client
        try
        {
            await Completion.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception ex) when (ex is TimeoutException or TmuxControlException or OperationCanceledException)
        {
        }

        await _stop.CancelAsync();
        try
        {
            await Completion.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException or TmuxControlException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync(Command command)
    {
        try
        {
            await command.ExecuteAsync(_stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_writeLock)
            {
                _stdin.Writer.TryComplete();
                while (_pending.TryDequeue(out var reply))
                {
                    reply.TrySetException(new TmuxControlException("The tmux control client exited before answering."));
                }
            }
        }
    }

    private async Task WriteCommandsAsync(Stream stdin, CancellationToken cancellationToken)
    {
        await foreach (var line in _stdin.Reader.ReadAllAsync(cancellationToken))
        {
            await stdin.WriteAsync(Encoding.UTF8.GetBytes(line), cancellationToken);
            await stdin.FlushAsync(cancellationToken);
        }
    }

    private async Task ReadAsync(Stream stdout, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stdout, Encoding.UTF8);
        List<string>? block = null;
        string guard = "";
        var ours = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (block is not null)
            {
                // Only the closing line with the same time and command number ends the block, so pane text that
                // happens to start with "%end" cannot.
                var end = line.StartsWith("%end ", StringComparison.Ordinal) && line.AsSpan(5).SequenceEqual(guard);
                var error = line.StartsWith("%error ", StringComparison.Ordinal) && line.AsSpan(7).SequenceEqual(guard);
                if (!end && !error)
                {
                    block.Add(line);
                    continue;
                }

                if (ours && _pending.TryDequeue(out var reply))
                {
                    if (error)
                    {
                        reply.TrySetException(new TmuxControlException("tmux: " + string.Join(" ", block)));
                    }
                    else
                    {
                        reply.TrySetResult(block);
                    }
                }

                block = null;
                continue;
            }

            if (line.StartsWith("%begin ", StringComparison.Ordinal))
            {
                guard = line[7..];
                // The flags field is 1 for commands this client sent; the attach itself answers with 0.
                ours = guard.EndsWith(" 1", StringComparison.Ordinal);
                block = [];
                continue;
            }

            _onNotification(line);
        }
    }
}

/// <summary>The tmux control client failed or went away.</summary>
internal sealed class TmuxControlException(string message) : Exception(message);
