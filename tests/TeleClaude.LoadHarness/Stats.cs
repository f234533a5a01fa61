namespace TeleClaude.LoadHarness;

/// <summary>One table row.</summary>
internal sealed record ResultRow(int Sessions, string Path, string Protocol, double MedianMs, double P99Ms, int Iterations);

internal static class Stats
{
    public static double Median(IReadOnlyList<double> sorted)
    {
        var n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>Nearest-rank percentile: with fewer than 100 samples p99 is the maximum.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
