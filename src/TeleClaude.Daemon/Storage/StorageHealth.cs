using Microsoft.Extensions.Logging.Abstractions;

namespace TeleClaude.Daemon.Storage;

/// <summary>A storage fault that is going on: what failed, why, and since when.</summary>
internal sealed record StorageProblem(StorageFailureKind Kind, string Operation, string Reason, DateTimeOffset Since)
{
    /// <summary>One line for /health and logs.</summary>
    public string Describe(string path) => $"{Operation} in {path} failed: {Reason}; {StorageFailure.Remedy(Kind)}.";
}

/// <summary>
/// Whether the database takes writes, as the last storage operations found. <see cref="SessionStore"/> reports every
/// failure and every successful write here; /health shows the current problem; <see cref="StorageProbe"/> retries while
/// there is one. Logs once per change of state (healthy, failing for a reason, healthy again), never per operation, so a
/// full disk under a busy TUI writes two lines, not thousands. Other code asks <see cref="Problem"/> or catches
/// <see cref="StorageException"/>.
/// </summary>
internal sealed partial class StorageHealth
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private StorageProblem? _problem;

    public StorageHealth(string databasePath, TimeProvider time, ILogger<StorageHealth> logger)
    {
        DatabasePath = databasePath;
        _time = time;
        _logger = logger;
    }

    /// <summary>A health that only records (no logs), for a store made outside dependency injection.</summary>
    public static StorageHealth Unlogged(string databasePath) => new(databasePath, TimeProvider.System, NullLogger<StorageHealth>.Instance);

    public string DatabasePath { get; }

    /// <summary>The fault going on, or null while storage works.</summary>
    public StorageProblem? Problem
    {
        get
        {
            lock (_lock)
            {
                return _problem;
            }
        }
    }

    /// <summary>Raised (outside the lock) when storage goes from working to failing.</summary>
    public event Action<StorageProblem>? Failing;

    /// <summary>A write (or the probe) worked: storage is healthy again if it was not.</summary>
    public void Succeeded(string operation)
    {
        StorageProblem? ended;
        lock (_lock)
        {
            ended = _problem;
            _problem = null;
        }

        if (ended is not null)
        {
            var duration = _time.GetUtcNow() - ended.Since;
            LogRecovered(DatabasePath, operation, duration);
        }
    }

    /// <summary>Records that <paramref name="operation"/> failed and returns the exception to throw in its place.</summary>
    public StorageException Failed(string operation, Exception exception)
    {
        var (kind, reason) = StorageFailure.Describe(exception, DatabasePath);
        StorageProblem? before;
        StorageProblem now;
        lock (_lock)
        {
            before = _problem;
            // The start of an outage stays its start while the reason changes.
            now = new StorageProblem(kind, operation, reason, before?.Since ?? _time.GetUtcNow());
            _problem = now;
        }

        if (before is null)
        {
            LogFailing(DatabasePath, operation, reason, StorageFailure.HttpStatus(kind), exception);
            Failing?.Invoke(now);
        }
        else if (before.Kind != kind)
        {
            LogFailingDifferently(DatabasePath, operation, reason);
        }

        return new StorageException(kind, $"{char.ToUpperInvariant(operation[0])}{operation[1..]} in {DatabasePath} failed: {reason}; {StorageFailure.Remedy(kind)}.", exception);
    }

    [LoggerMessage(EventId = 150, Level = LogLevel.Warning,
        Message = "Storage {Path}: {Operation} failed: {Reason}. Writes answer {Status} and /health says degraded until a write works again; logged once, not per request.")]
    private partial void LogFailing(string path, string operation, string reason, int status, Exception exception);

    [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "Storage {Path} still fails, now differently: {Operation} failed: {Reason}.")]
    private partial void LogFailingDifferently(string path, string operation, string reason);

    [LoggerMessage(EventId = 152, Level = LogLevel.Information, Message = "Storage {Path} works again ({Operation} succeeded) after {Duration} of failures.")]
    private partial void LogRecovered(string path, string operation, TimeSpan duration);
}
