using System.Globalization;

namespace TeleClaude.LoadHarness;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project tests/TeleClaude.LoadHarness -- snapshot [--iterations N]</c>.
/// The results table goes to stdout; progress and daemon logs go to stderr.
/// </summary>
internal static class Program
{
    /// <summary>Upper bound for <c>--iterations</c>, so one run stays within a few minutes.</summary>
    public const int MaxIterations = 1000;

    private const string Usage =
        "usage: TeleClaude.LoadHarness snapshot [--iterations N]\n" +
        "  snapshot        time snapshot reads (REST, hub re-subscribe, hub new client) with 1,000 and 10,000 cached remote sessions\n" +
        "  --iterations N  measured iterations per row (1-1000); default 200 for 1,000 sessions and 50 for 10,000";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] != "snapshot")
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        int? iterations = null;
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--iterations" && i + 1 < args.Length
                && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxIterations)
            {
                iterations = n;
                i++;
            }
            else
            {
                await Console.Error.WriteLineAsync($"Bad argument '{args[i]}'. --iterations takes a whole number from 1 to {MaxIterations}.");
                await Console.Error.WriteLineAsync(Usage);
                return 2;
            }
        }

        await SnapshotBenchmark.RunAsync(iterations);
        return 0;
    }
}
