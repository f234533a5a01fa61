using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using TeleClaude.Client;

namespace TeleClaude.LoadHarness;

/// <summary>
/// <c>access</c>: what the locks cost a caller. One daemon in a child process with its TCP listener; the harness
/// sends sequential requests on kept-alive connections, interleaving the cases in rounds so that they share
/// the machine's moments, and reports p50/p99 per case. <c>GET /health</c> with and without the token differ
/// only by the token check (the endpoint is anonymous, so the bearer handler runs only when a token is sent).
/// </summary>
internal static class AccessBenchmark
{
    private const int Round = 100;
    private const int WarmUp = 300;

    private sealed record Case(string Name, HttpClient Client, string Path, string? Token, int ExpectedStatus);

    public static async Task RunAsync(int requests)
    {
        var dll = ChildProcesses.DaemonDll();
        var directory = Directory.CreateTempSubdirectory("tcb-access-");
        var socket = Path.Combine(directory.FullName, "d.sock");
        using var portProbe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        portProbe.Start();
        var port = ((System.Net.IPEndPoint)portProbe.LocalEndpoint).Port;
        portProbe.Stop();

        var (process, output) = ChildProcesses.StartDotnet(dll, directory,
        [
            "--socket", socket, "--db", Path.Combine(directory.FullName, "d.db"), "--computer", "access-bench",
            $"--tcp=http://127.0.0.1:{port}", $"--TeleClaude:Sessions:TmuxSocketName=tcb-{directory.Name}",
            "--Logging:LogLevel:Default=Error", "--Logging:LogLevel:Microsoft.AspNetCore=Error",
        ]);
        try
        {
            await ChildProcesses.WaitForHealthAsync(process, socket, output);
            var token = (await File.ReadAllTextAsync(Path.Combine(directory.FullName, "api-token"))).Trim();
            using var tcp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            using var unix = new HttpClient(UnixSocketHttp.CreateHandler(socket)) { BaseAddress = UnixSocketHttp.BaseAddress };
            Case[] cases =
            [
                new("TCP GET /health, no token (anonymous endpoint)", tcp, "health", null, 200),
                new("TCP GET /health, right token (the token check)", tcp, "health", token, 200),
                new("TCP GET /sessions, right token", tcp, "sessions", token, 200),
                new("TCP GET /sessions, wrong token (refused, 401)", tcp, "sessions", "tc_" + new string('x', 43), 401),
                new("Unix GET /sessions, no token (peer uid checked per connection)", unix, "sessions", null, 200),
            ];

            await Console.Error.WriteLineAsync($"access: {requests} requests per case, {cases.Length} cases, rounds of {Round}");
            foreach (var c in cases)
            {
                for (var i = 0; i < WarmUp; i++)
                {
                    await SendAsync(c);
                }
            }

            var samples = cases.ToDictionary(c => c, _ => new List<double>(requests));
            while (samples.Values.Any(s => s.Count < requests))
            {
                foreach (var c in cases)
                {
                    for (var i = 0; i < Round && samples[c].Count < requests; i++)
                    {
                        samples[c].Add(await SendAsync(c));
                    }
                }
            }

            Console.WriteLine($"Machine: {MachineInfo.Describe()}");
            Console.WriteLine();
            Console.WriteLine("| Request (sequential, kept-alive connection) | p50 µs | p99 µs | n |");
            Console.WriteLine("|---|---:|---:|---:|");
            var medians = new Dictionary<Case, double>();
            foreach (var c in cases)
            {
                var sorted = samples[c].Order().ToArray();
                medians[c] = Stats.Median(sorted);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {c.Name} | {medians[c]:0} | {Stats.Percentile(sorted, 99):0} | {sorted.Length} |"));
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Token check (p50 with token − p50 without, same endpoint, same run): {medians[cases[1]] - medians[cases[0]]:0} µs."));
        }
        finally
        {
            await ChildProcesses.StopAndCleanAsync(process, directory);
        }
    }

    private static async Task<double> SendAsync(Case c)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, c.Path);
        if (c.Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", c.Token);
        }

        var clock = Stopwatch.StartNew();
        using var response = await c.Client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = clock.Elapsed.TotalMicroseconds;
        if ((int)response.StatusCode != c.ExpectedStatus)
        {
            throw new InvalidOperationException($"{c.Name}: expected {c.ExpectedStatus}, got {(int)response.StatusCode}.");
        }

        return elapsed;
    }
}
