using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using TeleClaude.Contracts;

namespace TeleClaude.LoadHarness;

/// <summary>
/// <c>micro</c> mode: BenchmarkDotNet on the two innermost pieces of the event and read paths, in process
/// (InProcessEmitToolchain: no generated project, so the repository's build settings need not apply to one),
/// ShortRun job (1 launch, 3 warm-up, 3 measured iterations), MemoryDiagnoser.
/// </summary>
internal static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        var artifacts = Directory.CreateTempSubdirectory("tcb-bdn-");
        try
        {
            var config = ManualConfig.Create(DefaultConfig.Instance)
                .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
                .AddDiagnoser(MemoryDiagnoser.Default)
                .WithArtifactsPath(artifacts.FullName);
            var switcher = BenchmarkSwitcher.FromTypes([typeof(CacheReadBenchmarks), typeof(EventCodecBenchmarks)]);
            // Without a filter BenchmarkSwitcher asks on the console; run everything instead.
            var summaries = switcher.Run(args.Length == 0 ? ["--filter", "*"] : args, config).ToArray();

            return summaries.Length > 0 && summaries.All(s => !s.HasCriticalValidationErrors && s.Reports.All(r => r.Success)) ? 0 : 1;
        }
        finally
        {
            artifacts.Delete(recursive: true);
        }
    }
}

internal static class MicroData
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A session shaped like a real one: short id and title, a path, a one-line input and some lines of output.</summary>
    public static SessionInfo Session(string computer, int i, int outputLines) => new(
        SessionId: $"{i:x8}0000000000000000000000aa",
        Computer: computer,
        Title: $"Session {i}: fix flaky integration test",
        ProjectPath: $"/home/bench/code/project-{i % 25:D2}",
        Status: (i % 3) switch { 0 => SessionStatus.Active, 1 => SessionStatus.Idle, _ => SessionStatus.Starting },
        Agent: (i % 2) == 0 ? "claude" : "codex",
        CreatedAt: Epoch.AddMinutes(i),
        LastActivity: Epoch.AddMinutes(i + 5),
        LastInput: "please run the test suite and fix what fails",
        LastOutput: string.Join('\n', Enumerable.Range(1, outputLines).Select(l => $"step {l}: updated the parser and re-ran the tests, all green")));
}
