namespace TeleClaude.Contracts;

/// <summary>A computer that runs a TeleClaude daemon, as last seen through its heartbeat.</summary>
/// <param name="Name">The computer name, unique across the installation.</param>
/// <param name="Status">Whether the computer is online (heartbeat within its TTL) or offline.</param>
/// <param name="LastSeen">When its last heartbeat was seen (UTC).</param>
/// <param name="User">The user the daemon runs as; null when its heartbeat does not say.</param>
/// <param name="Host">The host name of the machine; null when its heartbeat does not say.</param>
/// <param name="Stats">System load figures, when known.</param>
/// <param name="IsLocal">True for the computer this daemon runs on.</param>
public sealed record ComputerInfo(
    string Name,
    ComputerStatus Status,
    DateTimeOffset LastSeen,
    string? User,
    string? Host,
    SystemStats? Stats,
    bool IsLocal);

/// <summary>Online state of a computer.</summary>
public enum ComputerStatus
{
    /// <summary>Its heartbeat is fresh.</summary>
    Online,

    /// <summary>Its heartbeat expired.</summary>
    Offline,
}

/// <summary>System load of a computer, in percent of capacity.</summary>
/// <param name="CpuPercent">CPU load over the last sample (0-100).</param>
/// <param name="MemoryPercent">Memory in use (0-100).</param>
/// <param name="DiskPercent">Disk in use on the daemon's data volume (0-100).</param>
public sealed record SystemStats(double CpuPercent, double MemoryPercent, double DiskPercent);
