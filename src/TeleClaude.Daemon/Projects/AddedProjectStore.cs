using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Projects;

/// <summary>
/// Projects added at run time, in the daemon's SQLite file (table <c>added_projects</c>, created by the session
/// store's migrations, which run before any of this is used).
/// </summary>
internal sealed class AddedProjectStore(IOptions<DaemonOptions> options)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = options.Value.DatabasePath,
        Mode = SqliteOpenMode.ReadWrite,
        Pooling = true,
        DefaultTimeout = 10,
    }.ToString();

    public async Task<IReadOnlyList<ProjectInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT path, name, description FROM added_projects ORDER BY added_at, path;";
        var projects = new List<ProjectInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            projects.Add(new ProjectInfo(reader.GetString(1), reader.GetString(2), reader.GetString(0), options.Value.ComputerName, ProjectSource.Added));
        }

        return projects;
    }

    public async Task InsertAsync(ProjectInfo project, DateTimeOffset addedAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO added_projects (path, name, description, added_at) VALUES ($path, $name, $description, $at);";
        command.Parameters.AddWithValue("$path", project.Path);
        command.Parameters.AddWithValue("$name", project.Name);
        command.Parameters.AddWithValue("$description", project.Description);
        command.Parameters.AddWithValue("$at", addedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes the added project at <paramref name="path"/>; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM added_projects WHERE path = $path;";
        command.Parameters.AddWithValue("$path", path);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
