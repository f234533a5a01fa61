using System.Diagnostics;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// A small tmpfs mounted by the test (root, or CAP_SYS_ADMIN, as in CI and on this machine), so a test can make real
/// storage read-only (<c>mount -o remount,ro</c>) or full (a filler file up to ENOSPC) under a running daemon, and undo it.
/// <see cref="TryMountAsync"/> says why when mounting is refused; callers fall back or stop with that reason.
/// </summary>
internal sealed class ScratchFileSystem : IAsyncDisposable
{
    private ScratchFileSystem(string path) => Path = path;

    public string Path { get; }

    private string Filler => System.IO.Path.Combine(Path, "filler");

    public static async Task<(ScratchFileSystem? FileSystem, string Problem)> TryMountAsync(int megabytes, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tc-fs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        var (code, output) = await RunAsync("mount", ["-t", "tmpfs", "-o", $"size={megabytes}m,mode=0700", "tmpfs", path], cancellationToken);
        if (code == 0)
        {
            return (new ScratchFileSystem(path), "");
        }

        Directory.Delete(path);
        return (null, $"mounting a tmpfs was refused (needs root or CAP_SYS_ADMIN): {output.Trim()}");
    }

    /// <summary>
    /// Makes the file system read-only. Linux refuses while a file on it is open for writing, so pooled SQLite
    /// connections are closed first (<paramref name="closeWriters"/>) and the remount is retried until it goes through.
    /// </summary>
    public async Task MakeReadOnlyAsync(Action closeWriters, CancellationToken cancellationToken)
    {
        var output = "";
        for (var attempt = 0; attempt < 200; attempt++)
        {
            closeWriters();
            int code;
            (code, output) = await RunAsync("mount", ["-o", "remount,ro", Path], cancellationToken);
            if (code == 0)
            {
                return;
            }

            await Task.Delay(20, cancellationToken);
        }

        Assert.Fail($"Could not remount {Path} read-only: {output}");
    }

    public async Task MakeWritableAsync(CancellationToken cancellationToken)
    {
        var (code, output) = await RunAsync("mount", ["-o", "remount,rw", Path], cancellationToken);
        Assert.That(code, Is.Zero, output);
    }

    /// <summary>Writes a filler file until the file system is full (ENOSPC); returns its size.</summary>
    public async Task<long> FillAsync(CancellationToken cancellationToken)
    {
        var chunk = new byte[64 * 1024];
        // Unbuffered: nothing is left in a buffer to fail again when the file is closed.
        await using var file = new FileStream(Filler, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await file.WriteAsync(chunk, cancellationToken);
            }
        }
        catch (IOException)
        {
            // No space left.
        }

        // Any last partial block: a byte at a time until not even one fits.
        var one = new byte[1];
        try
        {
            for (var i = 0; i < chunk.Length; i++)
            {
                await file.WriteAsync(one, cancellationToken);
            }
        }
        catch (IOException)
        {
        }

        Assert.That(new DriveInfo(Path).AvailableFreeSpace, Is.Zero, "the file system is full");
        return file.Length;
    }

    public void Unfill() => File.Delete(Filler);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var (code, _) = await RunAsync("umount", [Path], timeout.Token);
        if (code != 0)
        {
            // Still in use by something that has not let go yet: detach now, the kernel frees it when it is closed.
            await RunAsync("umount", ["-l", Path], timeout.Token);
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
