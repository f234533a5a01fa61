using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Hosting;
using TeleClaude.Daemon.Sessions;
using TeleClaude.Daemon.Storage;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Storage;

/// <summary>
/// A database that is not one, is damaged, or is newer than this build stops the real daemon (Program's entry point, in its
/// own process) with exit code 2 and one line on stderr that names the file, what is wrong and what to do; no stack trace,
/// and the file is left exactly as it was.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
internal sealed class DatabaseStartIntegrationTests
{
    private string _directory = null!;

    private string DatabasePath => Path.Combine(_directory, "d.db");

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "tc-db-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task GarbageFile_StopsStart_WithExit2_AndOneLineNamingTheFile()
    {
        await File.WriteAllTextAsync(DatabasePath, "These are somebody's notes, not a database.\n" + new string('x', 5000), TestContext.CurrentContext.CancellationToken);

        var (exitCode, stderr, stdout) = await RunAndCheckUnchangedAsync();

        Assert.That(exitCode, Is.EqualTo(ExitCodes.NeedsOperator), stderr);
        Assert.That(stderr, Does.StartWith($"teleclaude: database {DatabasePath} is not a SQLite database"));
        Assert.That(stderr, Does.Contain("move it aside").And.Contain("never deletes"));
        AssertOneLineNoStackTrace(stderr, stdout);
    }

    [Test]
    public async Task DamagedPage_StopsStart_WithExit2_AndOneLineNamingTheFile()
    {
        await CreateRealDatabaseAsync(sessions: 200);
        // Pages 3 to 5 (b-tree pages of the sessions table and its indexes) overwritten with noise: a disk or copy gone bad.
        var noise = new byte[3 * 4096];
        new Random(14).NextBytes(noise);
        await using (var file = new FileStream(DatabasePath, FileMode.Open, FileAccess.Write))
        {
            Assert.That(file.Length, Is.GreaterThan(6 * 4096), "the test database spans enough pages");
            file.Seek(2 * 4096, SeekOrigin.Begin);
            await file.WriteAsync(noise, TestContext.CurrentContext.CancellationToken);
        }

        var (exitCode, stderr, stdout) = await RunAndCheckUnchangedAsync();

        Assert.That(exitCode, Is.EqualTo(ExitCodes.NeedsOperator), stderr);
        Assert.That(stderr, Does.StartWith($"teleclaude: database {DatabasePath} is damaged"));
        Assert.That(stderr, Does.Contain("Restore it from a backup").And.Contain(".recover").And.Contain("never deletes"));
        AssertOneLineNoStackTrace(stderr, stdout);
    }

    [Test]
    public async Task NewerSchema_StopsStart_WithExit2_AndOneLineNamingTheFile()
    {
        await CreateRealDatabaseAsync(sessions: 1);
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync(TestContext.CurrentContext.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {SessionStore.SchemaVersion + 5};";
            await command.ExecuteNonQueryAsync(TestContext.CurrentContext.CancellationToken);
        }

        var (exitCode, stderr, stdout) = await RunAndCheckUnchangedAsync();

        Assert.That(exitCode, Is.EqualTo(ExitCodes.NeedsOperator), stderr);
        Assert.That(stderr, Does.StartWith($"teleclaude: database {DatabasePath} has schema version {SessionStore.SchemaVersion + 5}, newer than this daemon knows ({SessionStore.SchemaVersion})"));
        AssertOneLineNoStackTrace(stderr, stdout);
    }

    [Test]
    public async Task HealthyDatabase_Starts_AndKeepsItsSessions()
    {
        await CreateRealDatabaseAsync(sessions: 3);
        var socket = Path.Combine(_directory, "d.sock");
        await using var daemon = DaemonCommandLine.Start(["--socket", socket, "--db", DatabasePath, "--computer", "intact", $"--TeleClaude:Sessions:TmuxSocketName=tc-test-{Path.GetFileName(_directory)}"]);

        await daemon.WaitUntilServingAsync(socket, TestContext.CurrentContext.CancellationToken);

        using var rest = new TeleClaude.Client.TeleClaudeRestClient(socket);
        Assert.That((await rest.HealthAsync(TestContext.CurrentContext.CancellationToken)).Status, Is.EqualTo("ok"));
        Assert.That(await daemon.TerminateAsync(TestContext.CurrentContext.CancellationToken), Is.EqualTo(ExitCodes.Stopped), daemon.Stderr);
    }

    private async Task<(int ExitCode, string Stderr, string Stdout)> RunAndCheckUnchangedAsync()
    {
        var token = TestContext.CurrentContext.CancellationToken;
        var before = SHA256.HashData(await File.ReadAllBytesAsync(DatabasePath, token));
        await using var daemon = DaemonCommandLine.Start(["--socket", Path.Combine(_directory, "d.sock"), "--db", DatabasePath, "--computer", "broken"]);

        var exitCode = await daemon.WaitForExitAsync(token);

        Assert.That(SHA256.HashData(await File.ReadAllBytesAsync(DatabasePath, token)), Is.EqualTo(before), "the daemon left the file exactly as it was");
        Assert.That(File.Exists(Path.Combine(_directory, "d.sock")), Is.False, "nothing listened");
        return (exitCode, daemon.Stderr, daemon.Stdout);
    }

    private static void AssertOneLineNoStackTrace(string stderr, string stdout)
    {
        Assert.That(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), "one line: " + stderr);
        Assert.That(stderr + stdout, Does.Not.Contain("   at ").And.Not.Contain("Unhandled exception"), "no stack trace");
    }

    /// <summary>A database made by the daemon's own store: its schema, its sessions, then closed and checkpointed.</summary>
    private async Task CreateRealDatabaseAsync(int sessions)
    {
        var token = TestContext.CurrentContext.CancellationToken;
        var store = new SessionStore(
            Options.Create(new DaemonOptions { DatabasePath = DatabasePath, ComputerName = "broken" }),
            Options.Create(new SessionRunnerOptions()));
        await store.MigrateAsync(token);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < sessions; i++)
        {
            await store.InsertAsync(
                new SessionInfo($"s{i:D4}", "broken", $"Session {i} " + new string('t', 150), "/tmp/p", SessionStatus.Idle, "claude", now, now, "input " + i, new string('o', 300)),
                token).WaitAsync(token);
        }

        // Closing the last connection checkpoints the write-ahead log into the file, so the file holds everything.
        SqliteConnection.ClearAllPools();
        Assert.That(File.Exists(DatabasePath + "-wal"), Is.False, "checkpointed");
    }
}
