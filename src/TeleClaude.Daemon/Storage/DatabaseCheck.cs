using System.Globalization;
using Microsoft.Data.Sqlite;
using TeleClaude.Daemon.Hosting;

namespace TeleClaude.Daemon.Storage;

/// <summary>
/// The start-up check of the database: is it a SQLite database, is it intact (<c>PRAGMA quick_check</c>), is it not newer
/// than this build. Each "no" stops the daemon with exit code 2 and one line that names the file, what is wrong and what
/// to do. Nothing is written before the check passed, and nothing is ever deleted: the data may still be recoverable.
/// </summary>
internal static class DatabaseCheck
{
    /// <summary>How many problems quick_check reports at most; the first is shown, the count says how bad it is.</summary>
    private const int MaxProblems = 10;

    public static async Task VerifyAsync(SqliteConnection connection, string path, int knownVersion, CancellationToken cancellationToken)
    {
        // The first read of the header: a file that is not a database fails here with SQLite error 26.
        var version = Convert.ToInt32(await ScalarAsync(connection, "PRAGMA user_version;", cancellationToken), CultureInfo.InvariantCulture);
        if (version > knownVersion)
        {
            throw new DaemonStopException(
                ExitCodes.NeedsOperator,
                $"database {path} has schema version {version}, newer than this daemon knows ({knownVersion}): a newer TeleClaude wrote it. " +
                "Run that version, or point --db (TeleClaude:DatabasePath) at another file; this one is left as it is.");
        }

        var problems = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"PRAGMA quick_check({MaxProblems});";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var line = reader.GetString(0);
                if (line != "ok" && !line.StartsWith("*** in database", StringComparison.Ordinal))
                {
                    problems.Add(line);
                }
            }
        }

        if (problems.Count > 0)
        {
            var count = problems.Count >= MaxProblems - 1 ? $"{problems.Count} or more problems" : $"{problems.Count} problem{(problems.Count == 1 ? "" : "s")}";
            throw Damaged(path, $"quick_check found {count}, the first: {problems[0]}");
        }

        // Only now the first write: WAL lets readers run beside the single writer.
        await using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode=WAL;";
        await wal.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The one line for a storage fault met while preparing the database.</summary>
    public static DaemonStopException StartFailure(string path, Exception exception)
    {
        if (exception is not SqliteException && exception is IOException or UnauthorizedAccessException)
        {
            return new DaemonStopException(
                ExitCodes.NeedsOperator,
                $"cannot create the database directory {Path.GetDirectoryName(path)}: {exception.Message} Fix its permissions, or point --db (TeleClaude:DatabasePath) elsewhere.",
                exception);
        }

        var (kind, reason) = StorageFailure.Describe(exception, path);
        var line = kind switch
        {
            StorageFailureKind.Corrupt when reason.StartsWith("the file is not", StringComparison.Ordinal) =>
                $"database {path} is not a SQLite database ({Code(reason)}). Restore it from a backup, or move it aside " +
                $"(mv '{path}' '{path}.broken') to start with an empty one; the daemon never deletes it.",
            StorageFailureKind.Corrupt => Damaged(path, Code(reason)).Message,
            StorageFailureKind.Full => $"database {path} cannot be prepared: {reason}. Free some space and start again.",
            _ => $"database {path} cannot be opened for writing: {reason}. Make it and its directory writable, or point --db (TeleClaude:DatabasePath) elsewhere.",
        };
        return new DaemonStopException(ExitCodes.NeedsOperator, line, exception);
    }

    private static DaemonStopException Damaged(string path, string what) => new(
        ExitCodes.NeedsOperator,
        $"database {path} is damaged ({what}). Restore it from a backup, or move it aside (mv '{path}' '{path}.broken') to start " +
        $"with an empty one (`sqlite3 '{path}' .recover` may save what is left); the daemon never deletes it.");

    /// <summary>"the database is damaged (SQLite error 11: ...)" -> "SQLite error 11: ...".</summary>
    private static string Code(string reason)
    {
        var open = reason.IndexOf('(', StringComparison.Ordinal);
        return open >= 0 && reason.EndsWith(')') ? reason[(open + 1)..^1] : reason;
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
