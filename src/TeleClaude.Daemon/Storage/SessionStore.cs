using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Storage;

/// <summary>
/// The local computer's sessions and settings in one SQLite file. Connections are pooled by
/// Microsoft.Data.Sqlite; WAL lets readers run beside the single writer. The public operations are in
/// SessionStore.Guarded.cs: each reports to <see cref="StorageHealth"/> and turns storage faults into
/// <see cref="StorageException"/>; the <c>...CoreAsync</c> methods here do the SQL.
/// </summary>
internal sealed partial class SessionStore
{
    /// <summary>Schema migrations by version; index i moves the database from version i to i + 1.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE sessions (
            session_id    TEXT PRIMARY KEY,
            title         TEXT NOT NULL,
            project_path  TEXT NOT NULL,
            status        TEXT NOT NULL,
            agent         TEXT NOT NULL,
            created_at    TEXT NOT NULL,
            last_activity TEXT NOT NULL,
            last_input    TEXT NULL,
            last_output   TEXT NULL
        );
        CREATE INDEX ix_sessions_status ON sessions(status);
        CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
        // Projects added at run time (POST /projects); configured ones stay in configuration. See Projects/AddedProjectStore.
        """
        CREATE TABLE added_projects (
            path        TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            description TEXT NOT NULL,
            added_at    TEXT NOT NULL
        );
        """,
        // Agent state (issue 11): what a waiting agent asks (WaitingInfo as JSON), its last message, where its
        // transcript is, and the SHA-256 of the per-session hook secret (the secret itself lives only in the
        // session's tmux environment).
        """
        ALTER TABLE sessions ADD COLUMN waiting TEXT NULL;
        ALTER TABLE sessions ADD COLUMN last_message TEXT NULL;
        ALTER TABLE sessions ADD COLUMN transcript_path TEXT NULL;
        ALTER TABLE sessions ADD COLUMN hook_secret_hash TEXT NULL;
        """,
    ];

    private readonly string _connectionString;
    private readonly string _computer;
    private readonly string _tmuxSocket;
    private readonly StorageHealth _health;
    private Task? _prepared;

    public SessionStore(IOptions<DaemonOptions> options, IOptions<Sessions.SessionRunnerOptions> sessions, StorageHealth? health = null)
    {
        _tmuxSocket = sessions.Value.TmuxSocketName;
        var value = options.Value;
        _computer = value.ComputerName;
        DatabasePath = value.DatabasePath;
        _health = health ?? StorageHealth.Unlogged(value.DatabasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = value.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 10,
        }.ToString();
    }

    public static int SchemaVersion => Migrations.Length;

    /// <summary>The SQLite file.</summary>
    public string DatabasePath { get; }

    /// <summary>
    /// Opens the file (creating it and its private directory when missing), checks it (<c>PRAGMA quick_check</c>) and brings
    /// its schema up to date; once per store, later calls share the first. A file that is not a database, is damaged, is newer
    /// than this build or cannot be written throws <see cref="Hosting.DaemonStopException"/> with the one line to show. The
    /// file is never changed before it passed the check, and never deleted.
    /// </summary>
    public Task MigrateAsync(CancellationToken cancellationToken)
    {
        var prepared = Volatile.Read(ref _prepared);
        if (prepared is { IsCompletedSuccessfully: true })
        {
            return prepared;
        }

        prepared = PrepareAsync(cancellationToken);
        Volatile.Write(ref _prepared, prepared);
        return prepared;
    }

    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        try
        {
            var directory = Path.GetDirectoryName(DatabasePath);
            if (!string.IsNullOrEmpty(directory))
            {
                DaemonPaths.EnsurePrivateDirectory(directory);
            }

            await using var connection = await OpenAsync(cancellationToken);
            await DatabaseCheck.VerifyAsync(connection, DatabasePath, Migrations.Length, cancellationToken);
            await MigrateCoreAsync(connection, cancellationToken);
        }
        catch (Exception ex) when (StorageFailure.IsStorageFault(ex))
        {
            SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
            throw DatabaseCheck.StartFailure(DatabasePath, ex);
        }
    }

    private static async Task MigrateCoreAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var version = Convert.ToInt32(await ScalarAsync(connection, "PRAGMA user_version;", cancellationToken), CultureInfo.InvariantCulture);
        for (var v = version; v < Migrations.Length; v++)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, Migrations[v], cancellationToken, transaction);
            await ExecuteAsync(connection, $"PRAGMA user_version = {v + 1};", cancellationToken, transaction);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    private async Task<IReadOnlyList<SessionInfo>> ListCoreAsync(bool includeTerminated, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = includeTerminated
            ? "SELECT * FROM sessions ORDER BY created_at, session_id;"
            : "SELECT * FROM sessions WHERE status <> 'terminated' ORDER BY created_at, session_id;";
        var sessions = new List<SessionInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            sessions.Add(Read(reader));
        }

        return sessions;
    }

    private async Task<SessionInfo?> GetCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await GetAsync(connection, sessionId, null, cancellationToken);
    }

    private async Task InsertCoreAsync(SessionInfo session, string? hookSecretHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO sessions (session_id, title, project_path, status, agent, created_at, last_activity, last_input, last_output,
                waiting, last_message, hook_secret_hash)
            VALUES ($id, $title, $project, $status, $agent, $created, $activity, $input, $output, $waiting, $message, $secret);
            """;
        Bind(command, session);
        command.Parameters.AddWithValue("$secret", (object?)hookSecretHash ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<(string? HookSecretHash, string? TranscriptPath)?> GetAgentLinkCoreAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT hook_secret_hash, transcript_path FROM sessions WHERE session_id = $id;";
        command.Parameters.AddWithValue("$id", sessionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    private async Task<bool> SetTranscriptPathCoreAsync(string sessionId, string transcriptPath, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE sessions SET transcript_path = $path WHERE session_id = $id;";
        command.Parameters.AddWithValue("$id", sessionId);
        command.Parameters.AddWithValue("$path", transcriptPath);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>Reads, changes and writes one session atomically; null when it does not exist.</summary>
    private async Task<SessionInfo?> UpdateCoreAsync(string sessionId, Func<SessionInfo, SessionInfo> change, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // BEGIN IMMEDIATE: take the write lock before reading, so concurrent updates serialize instead of failing.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var current = await GetAsync(connection, sessionId, transaction, cancellationToken);
        if (current is null)
        {
            return null;
        }

        var updated = change(current);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE sessions SET title = $title, project_path = $project, status = $status, agent = $agent,
                created_at = $created, last_activity = $activity, last_input = $input, last_output = $output,
                waiting = $waiting, last_message = $message
            WHERE session_id = $id;
            """;
        Bind(command, updated);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return updated;
    }

    private async Task<string?> GetSettingCoreAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM settings WHERE key = $key;";
        command.Parameters.AddWithValue("$key", key);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private async Task SetSettingCoreAsync(string key, string value, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO settings (key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value;";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private async Task<SessionInfo?> GetAsync(SqliteConnection connection, string sessionId, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT * FROM sessions WHERE session_id = $id;";
        command.Parameters.AddWithValue("$id", sessionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private SessionInfo Read(SqliteDataReader reader) => new(
        SessionId: reader.GetString(reader.GetOrdinal("session_id")),
        Computer: _computer,
        Title: reader.GetString(reader.GetOrdinal("title")),
        ProjectPath: reader.GetString(reader.GetOrdinal("project_path")),
        Status: ParseStatus(reader.GetString(reader.GetOrdinal("status"))),
        Agent: reader.GetString(reader.GetOrdinal("agent")),
        CreatedAt: DateTimeOffset.Parse(reader.GetString(reader.GetOrdinal("created_at")), CultureInfo.InvariantCulture),
        LastActivity: DateTimeOffset.Parse(reader.GetString(reader.GetOrdinal("last_activity")), CultureInfo.InvariantCulture),
        LastInput: reader.IsDBNull(reader.GetOrdinal("last_input")) ? null : reader.GetString(reader.GetOrdinal("last_input")),
        LastOutput: reader.IsDBNull(reader.GetOrdinal("last_output")) ? null : reader.GetString(reader.GetOrdinal("last_output")),
        Waiting: ReadWaiting(reader),
        LastMessage: reader.IsDBNull(reader.GetOrdinal("last_message")) ? null : reader.GetString(reader.GetOrdinal("last_message")),
        HasTranscript: !reader.IsDBNull(reader.GetOrdinal("transcript_path")))
    {
        // Where its terminal is: what `tmux -L {socket} attach -t {session}` needs, here or over ssh.
        TmuxSocket = _tmuxSocket,
        TmuxSession = Sessions.TmuxRunner.TmuxName(reader.GetString(reader.GetOrdinal("session_id"))),
    };

    private static WaitingInfo? ReadWaiting(SqliteDataReader reader)
    {
        var ordinal = reader.GetOrdinal("waiting");
        return reader.IsDBNull(ordinal) ? null : JsonSerializer.Deserialize(reader.GetString(ordinal), TeleClaudeJsonContext.Default.WaitingInfo);
    }

    private static void Bind(SqliteCommand command, SessionInfo session)
    {
        command.Parameters.AddWithValue("$id", session.SessionId);
        // A local session is created whole: only sessions heard of from peers can lack these.
        command.Parameters.AddWithValue("$title", Required(session.Title, "title"));
        command.Parameters.AddWithValue("$project", Required(session.ProjectPath, "project_path"));
        command.Parameters.AddWithValue("$status", FormatStatus(session.Status));
        command.Parameters.AddWithValue("$agent", Required(session.Agent, "agent"));
        command.Parameters.AddWithValue("$created", Required(session.CreatedAt, "created_at").ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$activity", Required(session.LastActivity, "last_activity").ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$input", (object?)session.LastInput ?? DBNull.Value);
        command.Parameters.AddWithValue("$output", (object?)session.LastOutput ?? DBNull.Value);
        command.Parameters.AddWithValue("$waiting", session.Waiting is null ? DBNull.Value : JsonSerializer.Serialize(session.Waiting, TeleClaudeJsonContext.Default.WaitingInfo));
        command.Parameters.AddWithValue("$message", (object?)session.LastMessage ?? DBNull.Value);
    }

    private static T Required<T>(T? value, string field) where T : class =>
        value ?? throw new ArgumentException($"A local session needs {field}.", nameof(value));

    private static T Required<T>(T? value, string field) where T : struct =>
        value ?? throw new ArgumentException($"A local session needs {field}.", nameof(value));

    private static string FormatStatus(SessionStatus status) => status switch
    {
        SessionStatus.Starting => "starting",
        SessionStatus.Active => "active",
        SessionStatus.Idle => "idle",
        SessionStatus.Waiting => "waiting",
        SessionStatus.Unknown => "unknown",
        SessionStatus.Terminated => "terminated",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown session status."),
    };

    private static SessionStatus ParseStatus(string status) => status switch
    {
        "starting" => SessionStatus.Starting,
        "active" => SessionStatus.Active,
        "idle" => SessionStatus.Idle,
        "waiting" => SessionStatus.Waiting,
        "unknown" => SessionStatus.Unknown,
        _ => SessionStatus.Terminated,
    };

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
