using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.LoadHarness;

/// <summary>
/// <c>SessionEventReceiver.TryDecode</c> on a <c>session_events</c> entry as the emitter writes it (event, source,
/// data = the session as Redis JSON): with a 4-line last_output (typical) and with a full 40-line one (the default
/// <c>Sessions:OutputLines</c>). For comparison, the remote side's encode of the typical entry
/// (<c>SessionEventEmitter.Fields</c>, the emitter built without Redis: only its encoding runs).
/// </summary>
[SuppressMessage("Performance", "CA1515:Consider making public types internal", Justification = "BenchmarkDotNet runs public benchmark classes only.")]
public class EventCodecBenchmarks : IDisposable
{
    private StreamEntry _typical;
    private StreamEntry _fullOutput;
    private SessionChanged? _change;
    private SessionEventEmitter? _emitter;

    [GlobalSetup]
    public void Setup()
    {
        var session = MicroData.Session("remote-01", 7, outputLines: 4);
        _typical = Entry(session);
        _fullOutput = Entry(MicroData.Session("remote-01", 7, outputLines: 40));
        _change = new SessionChanged(SessionEventNames.SessionUpdated, session);
        _emitter = new SessionEventEmitter(
            null!,
            new CacheChangeFeed(),
            null!,
            new RedisCounters(),
            Options.Create(new DaemonOptions { ComputerName = "remote-01" }),
            Options.Create(new RedisOptions()),
            TimeProvider.System,
            NullLogger<SessionEventEmitter>.Instance);
    }

    [Benchmark(Baseline = true)]
    public SessionInfo DecodeTypical() => Decode(_typical);

    [Benchmark]
    public SessionInfo Decode40LineOutput() => Decode(_fullOutput);

    [Benchmark]
    public NameValueEntry[] EncodeTypical() => _emitter!.Fields(_change!);

    public void Dispose()
    {
        _emitter?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static SessionInfo Decode(StreamEntry entry) =>
        SessionEventReceiver.TryDecode(entry, out _, out var session, out _, out var problem)
            ? session
            : throw new InvalidOperationException(problem);

    private static StreamEntry Entry(SessionInfo session) => new(
        "1700000000000-0",
        [
            new NameValueEntry("event", SessionEventNames.SessionUpdated),
            new NameValueEntry("source", session.Computer),
            new NameValueEntry("data", System.Text.Json.JsonSerializer.SerializeToNode(session, RedisJson.Options)!.ToJsonString()),
        ]);
}
