using Microsoft.Data.Sqlite;

namespace TeleClaude.Daemon.Storage;

/// <summary>What kind of storage fault stopped an operation; it decides the HTTP status and whether it can heal by itself.</summary>
internal enum StorageFailureKind
{
    /// <summary>No space left for the database or its write-ahead log (HTTP 507). Heals when space is freed.</summary>
    Full,

    /// <summary>The file or its file system cannot be written (HTTP 503). Heals when it is writable again.</summary>
    ReadOnly,

    /// <summary>The file is not a database or is damaged (HTTP 503). Does not heal: restore it or move it aside.</summary>
    Corrupt,

    /// <summary>Locked, cannot be opened, an I/O error (HTTP 503).</summary>
    Unavailable,
}

/// <summary>Turns SQLite and file-system exceptions into a kind and a reason a person understands.</summary>
internal static class StorageFailure
{
    // Primary SQLite result codes (https://sqlite.org/rescode.html).
    private const int SqliteError = 1;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqlitePermission = 3;
    private const int SqliteAuth = 23;
    private const int SqliteNotADatabase = 26;

    /// <summary>True for the exceptions a storage operation throws when the storage (not the caller) is at fault.</summary>
    public static bool IsStorageFault(Exception exception) =>
        exception is SqliteException or IOException or UnauthorizedAccessException;

    /// <summary>The kind of fault and a one-line reason, e.g. "the disk is full (SQLite error 13: database or disk is full)".</summary>
    public static (StorageFailureKind Kind, string Reason) Describe(Exception exception, string databasePath)
    {
        if (exception is not SqliteException sqlite)
        {
            return exception is UnauthorizedAccessException
                ? (StorageFailureKind.ReadOnly, $"access is denied ({exception.Message})")
                : (DiskIsFull(databasePath) ? StorageFailureKind.Full : StorageFailureKind.Unavailable, exception.Message);
        }

        var code = $"SQLite error {sqlite.SqliteErrorCode}: {SqliteMessage(sqlite)}";
        switch (sqlite.SqliteErrorCode)
        {
            case SqliteFull:
                return (StorageFailureKind.Full, $"the disk is full ({code})");
            case SqliteCorrupt:
                return (StorageFailureKind.Corrupt, $"the database is damaged ({code})");
            case SqliteNotADatabase:
                return (StorageFailureKind.Corrupt, $"the file is not a SQLite database ({code})");
            case SqliteError:
                // The store's SQL is fixed, so "no such table/column" means the file's schema is not the one its version claims.
                return (StorageFailureKind.Corrupt, $"the database does not have the tables this daemon expects ({code})");
            case SqliteBusy or SqliteLocked:
                return (StorageFailureKind.Unavailable, $"the database is locked by another connection or process ({code})");
            case SqliteReadOnly or SqliteCantOpen or SqlitePermission or SqliteAuth or SqliteIoError:
                // SQLite says little here ("unable to open database file"); ask the file system what is wrong with the file.
                if (DiskIsFull(databasePath))
                {
                    return (StorageFailureKind.Full, $"the disk is full ({code})");
                }

                return FileSystemProblem(databasePath) is { } problem
                    ? (StorageFailureKind.ReadOnly, $"the database file cannot be written: {problem} ({code})")
                    : (sqlite.SqliteErrorCode == SqliteReadOnly ? StorageFailureKind.ReadOnly : StorageFailureKind.Unavailable, $"the database cannot be written ({code})");
            default:
                return (StorageFailureKind.Unavailable, code);
        }
    }

    /// <summary>The HTTP status a request that hit this kind of fault answers.</summary>
    public static int HttpStatus(StorageFailureKind kind) =>
        kind == StorageFailureKind.Full ? StatusCodes.Status507InsufficientStorage : StatusCodes.Status503ServiceUnavailable;

    /// <summary>What an operator does about it.</summary>
    public static string Remedy(StorageFailureKind kind) => kind switch
    {
        StorageFailureKind.Full => "free some space; the daemon retries on its own",
        StorageFailureKind.ReadOnly => "make the file and its directory writable again; the daemon retries on its own",
        StorageFailureKind.Corrupt => "stop the daemon and restore the file from a backup, or move it aside to start with an empty one",
        _ => "the daemon retries on its own",
    };

    private static string SqliteMessage(SqliteException exception)
    {
        // "SQLite Error 13: 'database or disk is full'." -> "database or disk is full"
        var message = exception.Message;
        var start = message.IndexOf('\'', StringComparison.Ordinal);
        var end = message.LastIndexOf('\'');
        return start >= 0 && end > start ? message[(start + 1)..end] : message;
    }

    private static bool DiskIsFull(string databasePath)
    {
        try
        {
            var directory = Path.GetDirectoryName(databasePath);
            return directory is not null && Directory.Exists(directory) && new DriveInfo(directory).AvailableFreeSpace == 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Why the file cannot be opened for writing ("Read-only file system", "Access denied"), or null if it can.</summary>
    private static string? FileSystemProblem(string databasePath)
    {
        try
        {
            using var handle = File.OpenHandle(databasePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            return null;
        }
        catch (FileNotFoundException)
        {
            return "it does not exist any more";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message.ReplaceLineEndings(" ");
        }
    }
}
