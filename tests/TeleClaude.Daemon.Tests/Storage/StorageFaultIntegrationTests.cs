using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Storage;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Storage;

/// <summary>
/// Storage that fails under a running daemon, for real: its database on a tmpfs the test mounts, then remounts read-only
/// or fills up. Writes answer 503 / 507 with a detail that names the cause, /health says degraded with the reason, the log
/// says it once per change of state, reads that can still work do, and everything is ok again once the cause is gone.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
[NonParallelizable]
internal sealed class StorageFaultIntegrationTests
{
    private ScratchFileSystem? _fileSystem;
    private string? _dataDirectory;
    private DaemonProcess? _daemon;
    private LogRecorder? _logs;

    private string DatabasePath => Path.Combine(_dataDirectory!, "d.db");

    [TearDown]
    public async Task StopAll()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
            _daemon = null;
        }

        _logs?.Dispose();
        SqliteConnection.ClearAllPools();
        if (_fileSystem is not null)
        {
            await _fileSystem.DisposeAsync();
            _fileSystem = null;
        }
        else if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
        {
            // The file-mode fallback's plain temp directory.
            File.SetUnixFileMode(_dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Test]
    public async Task ReadOnlyStorage_WritesAnswer503_HealthDegraded_LoggedOnce_ThenOkAgain()
    {
        var token = TestContext.CurrentContext.CancellationToken;
        var (fileSystem, problem) = await ScratchFileSystem.TryMountAsync(16, token);
        if (fileSystem is null && Environment.UserName == "root")
        {
            Assert.Ignore(problem + "; as root, file modes are no substitute (root ignores them).");
        }

        _fileSystem = fileSystem;
        await StartDaemonAsync(fileSystem?.Path).WaitAsync(token);
        using var rest = _daemon!.Rest();
        var session = await _daemon!.CreateSessionAsync("Read-only soon").WaitAsync(token);

        if (fileSystem is not null)
        {
            await fileSystem.MakeReadOnlyAsync(SqliteConnection.ClearAllPools, token);
        }
        else
        {
            // Fallback without mount rights (not root): the modes are obeyed.
            SqliteConnection.ClearAllPools();
            foreach (var file in Directory.EnumerateFiles(_dataDirectory!))
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead);
            }

            File.SetUnixFileMode(_dataDirectory!, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        for (var i = 0; i < 5; i++)
        {
            var error = Assert.ThrowsAsync<TeleClaudeApiException>(() => rest.UpdateSessionAsync(session.SessionId, new UpdateSessionRequest(Title: $"try {i}"), token));
            Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(error.Detail, Does.StartWith($"Saving session '{session.SessionId}' in {DatabasePath} failed"));
            Assert.That(error.Detail, Does.Contain(fileSystem is null ? "denied" : "Read-only file system"), "the detail names the cause");
            Assert.That(error.Body, Does.Not.Contain("   at "));
        }

        var health = await rest.HealthAsync(token);
        Assert.That(health.Status, Is.EqualTo("degraded"));
        Assert.That(health.Problems!.Single().Component, Is.EqualTo("storage"));
        Assert.That(health.Problems!.Single().Detail, Does.Contain(DatabasePath).And.Contain(fileSystem is null ? "denied" : "Read-only file system"));

        if (fileSystem is not null)
        {
            await fileSystem.MakeWritableAsync(token);
        }
        else
        {
            File.SetUnixFileMode(_dataDirectory!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            foreach (var file in Directory.EnumerateFiles(_dataDirectory!))
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        // Nothing else writes: the probe alone brings health back.
        await Eventually.ThatAsync(async () => (await rest.HealthAsync(token)).Status == "ok", "/health says ok again");
        Assert.That((await rest.UpdateSessionAsync(session.SessionId, new UpdateSessionRequest(Title: "writable again"), token)).Title, Is.EqualTo("writable again"));
        AssertLoggedOncePerStateChange();
    }

    [Test]
    public async Task FullStorage_WritesAnswer507_ReadsWork_HealthDegraded_LoggedOnce_ThenOkAgain()
    {
        var token = TestContext.CurrentContext.CancellationToken;
        var (fileSystem, problem) = await ScratchFileSystem.TryMountAsync(8, token);
        if (fileSystem is null)
        {
            Assert.Ignore(problem + "; no other way to fill a file system for real is available to this test.");
        }

        _fileSystem = fileSystem;
        await StartDaemonAsync(fileSystem.Path).WaitAsync(token);
        using var rest = _daemon!.Rest();
        var session = await _daemon!.CreateSessionAsync("Disk fills up").WaitAsync(token);
        await fileSystem.FillAsync(token);

        var bigOutput = new string('o', 60_000);
        for (var i = 0; i < 5; i++)
        {
            var error = Assert.ThrowsAsync<TeleClaudeApiException>(() => rest.UpdateSessionAsync(session.SessionId, new UpdateSessionRequest(LastOutput: bigOutput + i), token));
            Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.InsufficientStorage));
            Assert.That(error.Detail, Does.Contain(DatabasePath).And.Contain("the disk is full").And.Contain("free some space"));
        }

        Assert.That((await rest.ListSessionsAsync(token)).Select(s => s.SessionId), Does.Contain(session.SessionId), "reads still work on a full disk");
        var health = await rest.HealthAsync(token);
        Assert.That(health.Status, Is.EqualTo("degraded"));
        Assert.That(health.Problems!.Single().Detail, Does.Contain("the disk is full"));
        Assert.That(health.Problems!.Single().Since, Is.Not.Null);

        fileSystem.Unfill();

        await Eventually.ThatAsync(async () => (await rest.HealthAsync(token)).Status == "ok", "/health says ok again");
        var updated = await rest.UpdateSessionAsync(session.SessionId, new UpdateSessionRequest(LastOutput: bigOutput), token);
        Assert.That(updated.LastOutput, Is.EqualTo(bigOutput));
        AssertLoggedOncePerStateChange();
    }

    private async Task StartDaemonAsync(string? mountPoint)
    {
        _dataDirectory = mountPoint ?? Directory.CreateTempSubdirectory("tc-ro-").FullName;
        _logs = new LogRecorder();
        _daemon = await DaemonProcess.StartAsync(
            "disky",
            b => b.Logging.AddProvider(_logs),
            "--db", DatabasePath,
            "--TeleClaude:Storage:ProbeInterval=00:00:00.200");
    }

    /// <summary>One "failing" line and one "works again" line for the whole outage, whatever the number of failed writes.</summary>
    private void AssertLoggedOncePerStateChange()
    {
        var storage = _logs!.Entries.Where(e => e.Category == typeof(StorageHealth).FullName).ToArray();
        foreach (var entry in storage)
        {
            TestContext.Out.WriteLine($"{entry.Level} {entry.EventId}: {entry.Message}");
        }

        Assert.That(storage.Count(e => e.EventId == 150), Is.EqualTo(1), string.Join("\n", storage.Select(e => e.Message)));
        Assert.That(storage.Count(e => e.EventId == 152), Is.EqualTo(1), string.Join("\n", storage.Select(e => e.Message)));
        Assert.That(storage.Count(e => e.EventId == 151), Is.LessThanOrEqualTo(1), "at most one change of reason");
        Assert.That(_logs!.Entries.Where(e => e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && e.Level >= LogLevel.Warning), Is.Empty, "no per-request error logs");
    }
}
