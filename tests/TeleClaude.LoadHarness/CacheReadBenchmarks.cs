using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using TeleClaude.Contracts;
using TeleClaude.Daemon;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Hubs;

namespace TeleClaude.LoadHarness;

/// <summary>
/// <c>DaemonCache.GetSessionsAsync</c> (every hub full state and REST GET /sessions goes through it) with S cached
/// remote sessions spread over 10 remote computers; the local SQLite part is empty (one query on an empty table).
/// The daemon is booted local-only (no Redis) in a temp directory.
/// </summary>
[SuppressMessage("Performance", "CA1515:Consider making public types internal", Justification = "BenchmarkDotNet runs public benchmark classes only.")]
public class CacheReadBenchmarks
{
    private const int Remotes = 10;

    private WebApplication? _app;
    private DirectoryInfo? _directory;
    private DaemonCache? _cache;

    [Params(1_000, 10_000)]
    public int Sessions { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Directory.CreateTempSubdirectory("tcb-micro-");
        _app = TeleClaudeDaemon.Build(
            ["--socket", Path.Combine(_directory.FullName, "d.sock"), "--db", Path.Combine(_directory.FullName, "d.db"), "--computer", "micro"],
            b =>
            {
                b.Logging.SetMinimumLevel(LogLevel.Warning);
                b.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            });
        await _app.StartAsync();
        _cache = _app.Services.GetRequiredService<DaemonCache>();
        var perRemote = Sessions / Remotes;
        for (var r = 0; r < Remotes; r++)
        {
            var computer = $"remote-{r:D2}";
            _cache.UpsertComputer(new ComputerInfo(computer, ComputerStatus.Online, DateTimeOffset.UtcNow, "bench", computer + ".example", null, IsLocal: false));
            _cache.ReplaceRemoteSessions(computer, Enumerable.Range(0, perRemote).Select(i => MicroData.Session(computer, (r * perRemote) + i, outputLines: 4)).ToArray());
        }

        await HarnessWaits.WaitForPushesToSettleAsync(_app.Services.GetRequiredService<HubCounters>());
        var count = (await _cache.GetSessionsAsync(CancellationToken.None)).Count;
        if (count != Sessions)
        {
            throw new InvalidOperationException($"The cache holds {count} sessions, expected {Sessions}.");
        }
    }

    [Benchmark]
    public Task<IReadOnlyList<SessionInfo>> GetSessionsAsync() => _cache!.GetSessionsAsync(CancellationToken.None);

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _directory?.Delete(recursive: true);
    }
}
