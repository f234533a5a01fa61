namespace TeleClaude.Daemon.Storage;

/// <summary>
/// A storage operation failed because of the storage (disk full, read-only, damaged, locked), not the caller. The message
/// names the operation, the file, the cause and the remedy. REST answers it with 503 (507 when full); a background loop
/// catches it and retries later without logging it again: <see cref="StorageHealth"/> logs once per change of state.
/// </summary>
internal sealed class StorageException(StorageFailureKind kind, string message, Exception innerException) : Exception(message, innerException)
{
    public StorageFailureKind Kind { get; } = kind;

    /// <summary>503, or 507 when the disk is full.</summary>
    public int HttpStatus => StorageFailure.HttpStatus(Kind);
}
