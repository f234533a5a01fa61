using System.Net;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Commands;
using TeleClaude.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TeleClaude.Web.Tests.Benchmarks;

/// <summary>
/// The dashboard's numbers in docs/benchmarks.md. Explicit: run on demand with
/// <c>dotnet test tests/TeleClaude.Web.Tests -c Release --filter "FullyQualifiedName~WebBenchmark" --logger "console;verbosity=normal"</c>.
/// Measured as a person would see it: the real daemon, the system Chromium, the text in the page. Times in the page are
/// taken by the page's own clock (<see cref="DomClock"/>), which is the machine's realtime clock, as the test's.
/// </summary>
[TestFixture]
[Explicit("Benchmark: minutes long, prints numbers instead of asserting them.")]
[NonParallelizable]
internal sealed class WebBenchmarkIntegrationTests
{
    private const int LatencyRuns = 200;
    private const int LoadRuns = 10;

    private static readonly int[] Sizes = [10, 200, 1000];

    [Test]
    [CancelAfter(1_800_000)]
    public async Task Benchmark_PushToDom_And_FirstLoadToFullState(CancellationToken cancellationToken)
    {
        var report = new List<string> { Machine(), "| what | p50 | p99 | min | max |", "|---|---:|---:|---:|---:|" };
        await using var chromium = await Chromium.LaunchAsync();
        await using var web = await WebDaemon.StartAsync("bench");
        var sessions = new List<SessionInfo>();
        foreach (var size in Sizes)
        {
            sessions.AddRange(await CreateSessionsAsync(web, sessions.Count, size - sessions.Count, cancellationToken));

            // First load: navigation start (the page's time origin) → connected with every session drawn. Cold: a new
            // browser profile (nothing cached); warm: a reload (files revalidated with 304s).
            var cold = new List<double>();
            var warm = new List<double>();
            for (var run = 0; run < LoadRuns; run++)
            {
                var context = await chromium.NewContextAsync();
                await context.AddInitScriptAsync(FullStateProbe(size));
                var page = await context.NewPageAsync();
                await page.GotoAsync(web.LoginUrl);
                cold.Add(await FullStateAsync(page));
                await page.ReloadAsync();
                warm.Add(await FullStateAsync(page));
                await context.CloseAsync();
            }

            report.Add(Row($"first load → full state, {size} sessions, cold (n={LoadRuns})", cold));
            report.Add(Row($"first load → full state, {size} sessions, warm reload (n={LoadRuns})", warm));

            // Push → DOM: a title changed through REST (the daemon's change) → the new text in the session's row.
            var latency = await PushToDomAsync(web, chromium, sessions[0], cancellationToken);
            report.Add(Row($"push → DOM (title change → row text), {size} sessions (n={LatencyRuns})", latency));
        }

        TestContext.Out.WriteLine(string.Join('\n', report));
    }

    [Test]
    [CancelAfter(600_000)]
    public async Task Benchmark_PageWeight_And_HubMessageSizes(CancellationToken cancellationToken)
    {
        await using var chromium = await Chromium.LaunchAsync();
        await using var web = await WebDaemon.StartAsync("bench");
        var report = new List<string> { Machine() };

        // What Chromium fetched on a first load, as it sent it (gzip over http: Chromium offers br only over https).
        var files = new List<(string Path, long Body, long Headers)>();
        var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        page.RequestFinished += async (_, request) =>
        {
            var path = new Uri(request.Url).AbsolutePath;
            if (path == "/" || path.StartsWith("/web/", StringComparison.Ordinal))
            {
                var sizes = await request.SizesAsync();
                lock (files)
                {
                    files.Add((path, sizes.ResponseBodySize, sizes.ResponseHeadersSize));
                }
            }
        };
        await page.GotoAsync(web.LoginUrl);
        await Expect(page.Locator("#conn")).ToHaveTextAsync("● connected");
        await page.ReloadAsync();
        await Expect(page.Locator("#conn")).ToHaveTextAsync("● connected");
        await context.CloseAsync();

        // The same files asked for plainly, with gzip and with brotli.
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = web.BaseUrl };
        report.Add("| file | identity | gzip | br | Chromium first load (body + headers) |");
        report.Add("|---|---:|---:|---:|---:|");
        long totalRaw = 0, totalGzip = 0, totalBr = 0, totalChromium = 0;
        var distinct = files.GroupBy(f => f.Path).Select(g => g.First()).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        foreach (var (path, body, headers) in distinct)
        {
            var raw = await SizeAsync(http, path, null, cancellationToken);
            var gzip = await SizeAsync(http, path, "gzip", cancellationToken);
            var br = await SizeAsync(http, path, "br", cancellationToken);
            totalRaw += raw;
            totalGzip += gzip;
            totalBr += br;
            totalChromium += body + headers;
            report.Add(string.Create(CultureInfo.InvariantCulture, $"| `{path}` | {raw:N0} | {gzip:N0} | {br:N0} | {body + headers:N0} |"));
        }

        report.Add(string.Create(CultureInfo.InvariantCulture, $"| **total** ({distinct.Count} files) | {totalRaw:N0} | {totalGzip:N0} | {totalBr:N0} | {totalChromium:N0} |"));
        var reload = files.Skip(distinct.Count).ToList();
        report.Add(string.Create(CultureInfo.InvariantCulture,
            $"reload: {reload.Count} requests, {reload.Sum(f => f.Body + f.Headers):N0} bytes ({reload.Count(f => f.Body == 0)} answered 304 Not Modified)"));

        // Hub messages: the full state and one change, as the JSON protocol (the page's) and MessagePack would frame them.
        report.Add("| hub message | JSON | MessagePack | gzip of JSON (for scale) |");
        report.Add("|---|---:|---:|---:|");
        var protocols = web.Daemon.Services.GetServices<IHubProtocol>().ToDictionary(p => p.Name);
        foreach (var size in new[] { 10, 200, 1000 })
        {
            var sessions = Enumerable.Range(0, size).Select(i => FakeSession(web, i)).ToList();
            var snapshot = await web.Daemon.Get<DaemonCommands>().SessionsSnapshotAsync(cancellationToken) with { Sessions = sessions };
            report.Add(MessageRow($"SessionsState, {size} sessions", protocols, nameof(ISessionsClient.SessionsState), snapshot));
        }

        report.Add(MessageRow("SessionUpdated, 1 session", protocols, nameof(ISessionsClient.SessionUpdated), FakeSession(web, 1)));
        TestContext.Out.WriteLine(string.Join('\n', report));
    }

    private static string MessageRow(string what, Dictionary<string, IHubProtocol> protocols, string method, object payload)
    {
        var message = new InvocationMessage(method, [payload]);
        var json = protocols["json"].GetMessageBytes(message).Length;
        var msgpack = protocols["messagepack"].GetMessageBytes(message).Length;
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(protocols["json"].GetMessageBytes(message).Span);
        }

        return string.Create(CultureInfo.InvariantCulture, $"| {what} | {json:N0} | {msgpack:N0} | {buffer.Length:N0} |");
    }

    private static SessionInfo FakeSession(WebDaemon web, int i) => new(
        $"{Guid.NewGuid():N}"[..12], web.Daemon.Computer, $"bench-{i:0000} fix the parser", web.Daemon.ProjectPath, SessionStatus.Active, "claude",
        DateTimeOffset.UtcNow.AddMinutes(-i), DateTimeOffset.UtcNow, $"task {i}",
        "test agent ready in /tmp/project\nagent got: task\n" + new string('x', 200), TmuxSocket: "teleclaude", TmuxSession: $"tc-{i}");

    private static async Task<long> SizeAsync(HttpClient http, string path, string? encoding, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        if (encoding is not null)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        }

        using var response = await http.SendAsync(request, cancellationToken);
        return (await response.Content.ReadAsByteArrayAsync(cancellationToken)).LongLength;
    }

    /// <summary>Notes (page clock, ms since navigation start) when the page is connected and shows every session.</summary>
    private static string FullStateProbe(int sessions) => $$"""
        (() => {
          const done = () => {
            const conn = document.getElementById('conn');
            return conn && conn.textContent === '● connected' && document.querySelectorAll('[data-session]').length === {{sessions}};
          };
          const start = () => {
            const observer = new MutationObserver(() => {
              if (window.__fullState === undefined && done()) { window.__fullState = performance.now(); observer.disconnect(); }
            });
            observer.observe(document.documentElement, { subtree: true, childList: true, characterData: true });
          };
          if (document.documentElement) start(); else document.addEventListener('readystatechange', start, { once: true });
        })();
        """;

    private static async Task<double> FullStateAsync(IPage page)
    {
        var handle = await page.WaitForFunctionAsync("() => window.__fullState", null, new PageWaitForFunctionOptions { PollingInterval = 50, Timeout = 60_000 });
        return await handle.JsonValueAsync<double>();
    }

    private static async Task<List<double>> PushToDomAsync(WebDaemon web, Chromium chromium, SessionInfo session, CancellationToken cancellationToken)
    {
        var page = await web.OpenSignedInAsync(chromium);
        using var rest = web.Daemon.Rest();
        var samples = new List<double>();
        for (var i = 0; i < LatencyRuns; i++)
        {
            var text = $"latency-{i:000}-{Guid.NewGuid().ToString("N")[..6]}";
            await DomClock.WatchAsync(page, "latency", $"[data-session='{session.SessionId}'] .title", text);
            var sent = DateTimeOffset.UtcNow;
            // The title, not last_output: the daemon's output watcher rewrites last_output of real sessions on its own.
            await rest.UpdateSessionAsync(session.SessionId, new UpdateSessionRequest(Title: text), cancellationToken);
            var seen = await DomClock.SeenAsync(page, "latency");
            samples.Add((seen - sent).TotalMilliseconds);
            await Task.Delay(20, cancellationToken);
        }

        await page.Context.CloseAsync();
        return samples;
    }

    private static async Task<List<SessionInfo>> CreateSessionsAsync(WebDaemon web, int first, int count, CancellationToken cancellationToken)
    {
        using var rest = web.Daemon.Rest();
        var created = new SessionInfo[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
            created[i] = await rest.CreateSessionAsync(
                new CreateSessionRequest(web.Daemon.ProjectPath, $"bench-{first + i:0000}", (first + i) % 3 == 0 ? "codex" : "claude", Message: $"task {first + i}"), ct));
        return [.. created.OrderBy(s => s.CreatedAt)];
    }

    private static string Machine() =>
        $"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, Chromium at {Chromium.ExecutablePath}";

    private static string Row(string what, List<double> samples)
    {
        samples.Sort();
        var median = samples.Count % 2 == 1 ? samples[samples.Count / 2] : (samples[(samples.Count / 2) - 1] + samples[samples.Count / 2]) / 2;
        var p99 = samples[Math.Clamp((int)Math.Ceiling(samples.Count * 0.99) - 1, 0, samples.Count - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"| {what} | {median:0.0} ms | {p99:0.0} ms | {samples[0]:0.0} ms | {samples[^1]:0.0} ms |");
    }
}
