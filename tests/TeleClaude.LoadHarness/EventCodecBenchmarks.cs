using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using StackExchange.Redis;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.LoadHarness;

/// <summary>
/// <c>SessionEventCodec.TryDecode</c> on a <c>session_events</c> entry as the emitter writes it (event, source,
/// data = the session as Redis JSON): with a 4-line last_output (typical) and with a full 40-line one (the default
/// <c>Sessions:OutputLines</c>); and a partial entry as a seed-contract peer writes it (session_id, title, status).
/// For comparison, the remote side's encode of the typical entry (<c>SessionEventCodec.Encode</c>).
/// </summary>
[SuppressMessage("Performance", "CA1515:Consider making public types internal", Justification = "BenchmarkDotNet runs public benchmark classes only.")]
public class EventCodecBenchmarks
{
    private StreamEntry _typical;
    private StreamEntry _fullOutput;
    private StreamEntry _partial;
    private SessionInfo? _session;

    [GlobalSetup]
    public void Setup()
    {
        _session = MicroData.Session("remote-01", 7, outputLines: 4);
        _typical = new StreamEntry("1700000000000-0", SessionEventCodec.Encode(SessionEventNames.SessionUpdated, _session, null, "remote-01"));
        var full = MicroData.Session("remote-01", 7, outputLines: 40);
        _fullOutput = new StreamEntry("1700000000000-1", SessionEventCodec.Encode(SessionEventNames.SessionUpdated, full, null, "remote-01"));
        _partial = new StreamEntry(
            "1700000000000-2",
            [
                new NameValueEntry("event", SessionEventNames.SessionUpdated),
                new NameValueEntry("source", "remote-01"),
                new NameValueEntry("data", "{\"session_id\":\"s-7\",\"title\":\"fix flaky test\",\"status\":\"active\"}"),
            ]);
    }

    [Benchmark(Baseline = true)]
    public SessionInfo DecodeTypical() => Decode(_typical);

    [Benchmark]
    public SessionInfo Decode40LineOutput() => Decode(_fullOutput);

    [Benchmark]
    public SessionInfo DecodePartial() => Decode(_partial);

    [Benchmark]
    public NameValueEntry[] EncodeTypical() => SessionEventCodec.Encode(SessionEventNames.SessionUpdated, _session!, null, "remote-01");

    /// <summary>Decodes, then merges onto nothing (what the cache does for a session it sees first), so each variant returns a session.</summary>
    private static SessionInfo Decode(StreamEntry entry) =>
        SessionEventCodec.TryDecode(entry, out var sessionEvent, out var problem)
            ? sessionEvent.Session.ApplyTo(null)
            : throw new InvalidOperationException(problem);
}
