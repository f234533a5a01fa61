using System.Globalization;
using Microsoft.Extensions.Options;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Computers;

/// <summary>Who and what this computer is, with system stats sampled from /proc (zeros elsewhere).</summary>
internal sealed class LocalComputer(IOptions<DaemonOptions> options, TimeProvider time)
{
    private (ulong Idle, ulong Total)? _lastCpu;
    private volatile ComputerInfo? _current;

    public string Name { get; } = options.Value.ComputerName;

    /// <summary>The last sample; taken on first use.</summary>
    public ComputerInfo Current => _current ?? Sample();

    /// <summary>Samples system stats now and returns the new info.</summary>
    public ComputerInfo Sample()
    {
        var stats = new SystemStats(
            Math.Round(SampleCpu(), 1),
            Math.Round(SampleMemory(), 1),
            Math.Round(SampleDisk(Path.GetDirectoryName(options.Value.DatabasePath) ?? "/"), 1));
        var info = new ComputerInfo(Name, ComputerStatus.Online, time.GetUtcNow(), Environment.UserName, Environment.MachineName, stats, IsLocal: true);
        _current = info;
        return info;
    }

    private double SampleCpu()
    {
        try
        {
            // First line of /proc/stat: "cpu user nice system idle iowait irq softirq steal ..."
            using var reader = new StreamReader("/proc/stat");
            var fields = (reader.ReadLine() ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => ulong.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            if (fields.Length < 5)
            {
                return 0;
            }

            var idle = fields[3] + fields[4];
            var total = fields.Aggregate(0UL, (a, b) => a + b);
            var last = _lastCpu;
            _lastCpu = (idle, total);
            if (last is not { } previous || total <= previous.Total)
            {
                return 0;
            }

            return 100.0 * (1.0 - (double)(idle - previous.Idle) / (total - previous.Total));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return 0;
        }
    }

    private static double SampleMemory()
    {
        try
        {
            ulong total = 0, available = 0;
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                var parts = line.Split(':', 2);
                if (parts.Length != 2)
                {
                    continue;
                }

                var kb = ulong.TryParse(parts[1].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture, out var v) ? v : 0;
                if (parts[0] == "MemTotal")
                {
                    total = kb;
                }
                else if (parts[0] == "MemAvailable")
                {
                    available = kb;
                }
            }

            return total == 0 ? 0 : 100.0 * (total - Math.Min(available, total)) / total;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static double SampleDisk(string path)
    {
        try
        {
            var drive = new DriveInfo(Directory.Exists(path) ? path : "/");
            return drive.TotalSize == 0 ? 0 : 100.0 * (drive.TotalSize - drive.AvailableFreeSpace) / drive.TotalSize;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return 0;
        }
    }
}
