using Microsoft.Data.Sqlite;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Storage;

/// <summary>
/// The store's operations as the rest of the daemon sees them. Each one reports to <see cref="StorageHealth"/> (a failure
/// always; success only for writes, since reads work on a full disk) and throws <see cref="StorageException"/>, which names
/// what failed and why, instead of a raw SQLite error. A new operation goes here too, around its <c>...CoreAsync</c>.
/// </summary>
internal sealed partial class SessionStore
{
    /// <summary>The key the storage probe writes while storage fails.</summary>
    internal const string ProbeSetting = "storage.probe";

    /// <summary>What the store last found: other code can ask it, /health shows it.</summary>
    public StorageHealth Health => _health;

    public Task<IReadOnlyList<SessionInfo>> ListAsync(bool includeTerminated, CancellationToken cancellationToken) =>
        GuardAsync(write: false, "reading the sessions", () => ListCoreAsync(includeTerminated, cancellationToken));

    public Task<SessionInfo?> GetAsync(string sessionId, CancellationToken cancellationToken) =>
        GuardAsync(write: false, $"reading session '{sessionId}'", () => GetCoreAsync(sessionId, cancellationToken));

    /// <summary>Stores a new session; <paramref name="hookSecretHash"/> is what its agent's hooks must prove they know.</summary>
    public Task InsertAsync(SessionInfo session, CancellationToken cancellationToken, string? hookSecretHash = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        return GuardAsync(write: true, $"saving new session '{session.SessionId}'", async () =>
        {
            await InsertCoreAsync(session, hookSecretHash, cancellationToken);
            return true;
        });
    }

    /// <summary>The agent link of a session: its hook secret's hash and its transcript file; null when the session does not exist.</summary>
    public Task<(string? HookSecretHash, string? TranscriptPath)?> GetAgentLinkAsync(string sessionId, CancellationToken cancellationToken) =>
        GuardAsync(write: false, $"reading the agent link of session '{sessionId}'", () => GetAgentLinkCoreAsync(sessionId, cancellationToken));

    /// <summary>Records where the session's agent writes its transcript (from its hooks); false when the session does not exist.</summary>
    public Task<bool> SetTranscriptPathAsync(string sessionId, string transcriptPath, CancellationToken cancellationToken) =>
        GuardAsync(write: true, $"saving the transcript path of session '{sessionId}'", () => SetTranscriptPathCoreAsync(sessionId, transcriptPath, cancellationToken));

    /// <summary>Reads, changes and writes one session atomically; null when it does not exist.</summary>
    public Task<SessionInfo?> UpdateAsync(string sessionId, Func<SessionInfo, SessionInfo> change, CancellationToken cancellationToken) =>
        GuardAsync(write: true, $"saving session '{sessionId}'", () => UpdateCoreAsync(sessionId, change, cancellationToken));

    public Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken) =>
        GuardAsync(write: false, $"reading setting '{key}'", () => GetSettingCoreAsync(key, cancellationToken));

    public Task SetSettingAsync(string key, string value, CancellationToken cancellationToken) =>
        GuardAsync(write: true, $"saving setting '{key}'", async () =>
        {
            await SetSettingCoreAsync(key, value, cancellationToken);
            return true;
        });

    /// <summary>A small real write that tells whether storage takes writes again (see <see cref="StorageProbe"/>).</summary>
    internal Task ProbeAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        GuardAsync(write: true, "probing storage with a test write", async () =>
        {
            await SetSettingCoreAsync(ProbeSetting, now.ToString("O", System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
            return true;
        });

    private async Task<T> GuardAsync<T>(bool write, string operation, Func<Task<T>> work)
    {
        T result;
        try
        {
            result = await work();
        }
        catch (Exception ex) when (StorageFailure.IsStorageFault(ex))
        {
            // A pooled connection can outlive the fault in a bad state (one opened read-only on a read-only file system
            // stays read-only after it is writable again): start over with fresh connections.
            SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
            throw _health.Failed(operation, ex);
        }

        if (write)
        {
            _health.Succeeded(operation);
        }

        return result;
    }
}
