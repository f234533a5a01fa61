using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TeleClaude.Daemon.Storage;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Storage;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class StorageHealthUnitTests
{
    private const string Path = "/var/lib/tc/d.db";
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Failures_AreLoggedOncePerChangeOfState_NotPerOperation()
    {
        using var logs = new LogRecorder();
        var time = new FakeTimeProvider(Start);
        var health = new StorageHealth(Path, time, new Logger<StorageHealth>(new LoggerFactory([logs])));
        var failing = 0;
        health.Failing += _ => failing++;

        for (var i = 0; i < 100; i++)
        {
            health.Failed("saving session 'a'", Full());
        }

        time.Advance(TimeSpan.FromSeconds(30));
        health.Failed("saving setting 'x'", new SqliteException("SQLite Error 8: 'attempt to write a readonly database'.", 8));
        health.Failed("saving setting 'x'", new SqliteException("SQLite Error 8: 'attempt to write a readonly database'.", 8));
        Assert.That(health.Problem, Is.EqualTo(new StorageProblem(StorageFailureKind.ReadOnly, "saving setting 'x'", health.Problem!.Reason, Start)), "the outage started with the first failure");

        time.Advance(TimeSpan.FromSeconds(30));
        health.Succeeded("probing storage with a test write");
        health.Succeeded("saving session 'a'");

        Assert.That(health.Problem, Is.Null);
        Assert.That(failing, Is.EqualTo(1));
        Assert.That(logs.Entries.Select(e => e.EventId), Is.EqualTo(new[] { 150, 151, 152 }), "failing, failing differently, working again");
        Assert.That(logs.Entries[2].Message, Does.Contain("after 00:01:00"));
    }

    [TestCase(13, StorageFailureKind.Full, 507, "the disk is full (SQLite error 13: database or disk is full)")]
    [TestCase(11, StorageFailureKind.Corrupt, 503, "the database is damaged (SQLite error 11: database or disk is full)")]
    [TestCase(26, StorageFailureKind.Corrupt, 503, "the file is not a SQLite database (SQLite error 26: database or disk is full)")]
    [TestCase(5, StorageFailureKind.Unavailable, 503, "the database is locked by another connection or process (SQLite error 5: database or disk is full)")]
    public void Failed_NamesTheOperationFileCauseAndRemedy(int code, StorageFailureKind kind, int status, string reason)
    {
        var health = StorageHealth.Unlogged(Path);

        var error = health.Failed("saving session 'a'", new SqliteException("SQLite Error: 'database or disk is full'.", code));

        Assert.That((error.Kind, error.HttpStatus), Is.EqualTo((kind, status)));
        Assert.That(error.Message, Is.EqualTo($"Saving session 'a' in {Path} failed: {reason}; {StorageFailure.Remedy(kind)}."));
    }

    private static SqliteException Full() => new("SQLite Error 13: 'database or disk is full'.", 13);
}
