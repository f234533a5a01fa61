using System.Text.RegularExpressions;

namespace TeleClaude.Daemon.Tests.Redis;

/// <summary>
/// The daemon has one writer of stream entries (EntryWriter, which signs): the compiler refuses StreamAddAsync outside it
/// (BannedSymbols.txt); this test covers the way around the compiler, a raw XADD sent as a command.
/// </summary>
[TestFixture]
[CancelAfter(10_000)]
internal sealed partial class EntryWriterUnitTests
{
    [Test]
    public void DaemonSource_SendsNoRawXadd_EveryEntryGoesThroughTheSigningWriter()
    {
        var source = FindDaemonSource();
        var offenders = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => RawXadd().IsMatch(File.ReadAllText(f)))
            .ToArray();

        Assert.That(offenders, Is.Empty);
        Assert.That(File.ReadAllText(Path.Combine(source, "BannedSymbols.txt")), Does.Contain("M:StackExchange.Redis.IDatabaseAsync.StreamAddAsync("));
    }

    private static string FindDaemonSource()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "src", "TeleClaude.Daemon");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("src/TeleClaude.Daemon not found above the test binaries.");
    }

    [GeneratedRegex("\"XADD\"", RegexOptions.IgnoreCase)]
    private static partial Regex RawXadd();
}
