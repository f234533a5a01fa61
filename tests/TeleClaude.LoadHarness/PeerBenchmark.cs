using System.Diagnostics;
using System.Globalization;
using System.Text;
using TeleClaude.Client;
using TeleClaude.Contracts;

namespace TeleClaude.LoadHarness;

/// <summary>Settings of one <c>peer</c> run.</summary>
internal sealed record PeerSettings(int Sessions, int Rounds, int Events, int OnlineRuns);

/// <summary>
/// A seed-contract peer (<see cref="PlainPeer"/>: plain SET/XADD/XREAD, no PUBLISH) beside the real daemon in its own
/// process (<c>dotnet TeleClaude.Daemon.dll</c>, default settings), measured the way a user sees it, from a hub client
/// over the daemon's socket: the time to a first complete sessions view holding the peer's sessions, the latency from
/// the peer's XADD of a partial <c>session_updated</c> to the client's push, and the time from a new peer's first
/// heartbeat to the client's <c>ComputerUpdated</c>.
/// </summary>
internal static class PeerBenchmark
{
    private const string LocalName = "local";
    private const string PeerName = "seed-peer";
    private const int EventWarmUp = 50;

    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(15);

    private sealed record Row(string What, IReadOnlyList<double> SortedMs, string Note);

    public static async Task RunAsync(PeerSettings settings)
    {
        var started = Stopwatch.GetTimestamp();
        var loadBefore = MachineInfo.LoadAverage();
        var rows = new List<Row>();
        Progress("starting redis-server");
        await using (var redis = await HarnessRedis.StartAsync())
        {
            await using var peer = await PlainPeer.StartAsync(redis.Configuration, PeerName);
            peer.SetSessions(Sessions(0, settings.Sessions));
            await peer.StartHeartbeatAsync(TimeSpan.FromSeconds(5));
            await peer.StartServingAsync();

            Progress("starting the daemon as a child process (default settings)");
            await using var child = await ChildDaemon.StartAsync(LocalName, redis.Configuration, heartbeatInterval: null);
            using var rest = child.Rest();
            await HarnessWaits.WaitUntilAsync(
                () => rest.ListComputersAsync().GetAwaiter().GetResult().Any(c => c.Name == PeerName && c.Status == ComputerStatus.Online),
                WaitTimeout,
                "the daemon lists the peer online");

            rows.Add(await FirstStateAsync(child, rest, peer, settings));
            rows.AddRange(await EventsAndOnlineAsync(child, redis, peer, settings));
        }

        Print(settings, rows, Stopwatch.GetElapsedTime(started), loadBefore, MachineInfo.LoadAverage());
    }

    /// <summary>A list of partial sessions as the seed writes them (no agent, no created_at; the original system's names).</summary>
    private static string Sessions(int round, int count)
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ",")}{{\"session_id\":\"r{round}-s{i}\",\"title\":\"peer session {i}\",\"working_directory\":\"/home/peer/app{i % 3}\",\"status\":\"active\",\"origin_adapter\":\"telegram\"}}");
        }

        return sb.Append(']').ToString();
    }

    private static string[] Ids(int round, int count) =>
        Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"r{round}-s{i}")).ToArray();

    /// <summary>
    /// Each round the peer's list changes (new ids) while nobody is subscribed, so the daemon cannot have them cached; a
    /// new client connects and subscribes (the first subscriber: the daemon pulls from the peer) until it holds them all.
    /// </summary>
    private static async Task<Row> FirstStateAsync(ChildDaemon child, TeleClaudeRestClient rest, PlainPeer peer, PeerSettings settings)
    {
        Progress($"first state: {settings.Rounds} rounds (+1 warm-up), {settings.Sessions} partial sessions on the peer");
        var times = new List<double>();
        var complete = 0;
        for (var round = 0; round <= settings.Rounds; round++)
        {
            peer.SetSessions(Sessions(round, settings.Sessions));
            var receiver = new ViewReceiver(Ids(round, settings.Sessions));
            var start = Stopwatch.GetTimestamp();
            var client = SessionsHubClient.Create(child.SocketPath, receiver);
            try
            {
                await client.StartAsync().WaitAsync(WaitTimeout);
                await client.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
                var end = await receiver.Complete.WaitAsync(WaitTimeout);
                if (round > 0)
                {
                    times.Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
                    complete += receiver.FirstStateComplete ? 1 : 0;
                }
            }
            finally
            {
                await client.DisposeAsync();
            }

            await HarnessWaits.WaitUntilAsync(
                () => rest.DiagnosticsAsync().GetAwaiter().GetResult().InterestedIn.Count == 0,
                WaitTimeout,
                "the daemon has no interest left");
        }

        times.Sort();
        return new Row(
            $"first complete sessions view: new client connect + Subscribe until it holds the peer's {settings.Sessions} sessions (cold: pulled from the peer)",
            times,
            $"first SessionsState complete in {complete}/{times.Count}");
    }

    private static async Task<IEnumerable<Row>> EventsAndOnlineAsync(ChildDaemon child, HarnessRedis redis, PlainPeer peer, PeerSettings settings)
    {
        var round = settings.Rounds + 1;
        peer.SetSessions(Sessions(round, settings.Sessions));
        var ids = Ids(round, settings.Sessions);
        var receiver = new ViewReceiver(ids);
        var holder = SessionsHubClient.Create(child.SocketPath, receiver);
        try
        {
            await holder.StartAsync().WaitAsync(WaitTimeout);
            await holder.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
            await receiver.Complete.WaitAsync(WaitTimeout);

            Progress($"event latency: {settings.Events} partial session_updated XADDs (+{EventWarmUp} warm-up), one in flight");
            var latencies = new List<double>();
            var xadds = new List<double>();
            for (var i = 0; i < EventWarmUp + settings.Events; i++)
            {
                var id = ids[i % ids.Length];
                var title = string.Create(CultureInfo.InvariantCulture, $"renamed {i}");
                var arrival = receiver.ExpectUpdate(id, title);
                var start = Stopwatch.GetTimestamp();
                await peer.AddEventAsync(LocalName, "session_updated", $"{{\"session_id\":\"{id}\",\"title\":\"{title}\",\"status\":\"idle\"}}");
                var added = Stopwatch.GetTimestamp();
                long end;
                try
                {
                    end = await arrival.WaitAsync(WaitTimeout);
                }
                catch (TimeoutException ex)
                {
                    throw new TimeoutException($"No SessionUpdated for event {i} within {WaitTimeout.TotalSeconds:0} s.", ex);
                }

                if (i >= EventWarmUp)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
                    xadds.Add(Stopwatch.GetElapsedTime(start, added).TotalMilliseconds);
                }
            }

            Progress($"online: {settings.OnlineRuns} new peers that only SET their heartbeat key, while the client is subscribed");
            using var raw = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Configuration);
            var online = new List<double>();
            var random = new Random(20261126);
            for (var k = 0; k < settings.OnlineRuns; k++)
            {
                // The previous peer was listed right after a scan; a random pause puts this SET at a random point of the
                // scan period, as a peer starting at any moment would (otherwise every run hits the worst case).
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 2000)));
                var name = string.Create(CultureInfo.InvariantCulture, $"new-peer-{k}");
                var seen = receiver.ExpectOnline(name);
                var start = Stopwatch.GetTimestamp();
                await PlainPeer.WriteHeartbeatAsync(raw.GetDatabase(), name);
                var end = await seen.WaitAsync(WaitTimeout);
                online.Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
            }

            latencies.Sort();
            xadds.Sort();
            online.Sort();
            return
            [
                new Row("event latency: peer XADD of a partial session_updated → SessionUpdated on the client (merged)", latencies, $"p99 < 50 ms: {(Stats.Percentile(latencies, 99) < 50 ? "yes" : "no")}"),
                new Row("of which the peer's XADD round trip", xadds, ""),
                new Row("peer online: first SET of its heartbeat key → ComputerUpdated on the client", online, "bound: Redis:PeerScanInterval = 2 s while a client is subscribed"),
            ];
        }
        finally
        {
            await holder.DisposeAsync();
        }
    }

    private static void Progress(string message) => Console.Error.WriteLine($"[harness] {message}");

    private static void Print(PeerSettings settings, List<Row> rows, TimeSpan elapsed, string loadBefore, string loadAfter)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("## Seed-contract peer");
        sb.AppendLine();
        sb.AppendLine(inv, $"Machine: {MachineInfo.Describe()}");
        sb.AppendLine(inv, $"Run: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalSeconds:0} s in total; load average {loadBefore} before, {loadAfter} after.");
        sb.AppendLine(inv, $"The daemon in its own process with default settings; the peer (plain SET/XADD/XREAD, no PUBLISH) and the hub client (JSON) in the harness; one redis-server on loopback; {settings.Sessions} sessions on the peer.");
        sb.AppendLine();
        sb.AppendLine("| measurement | n | median ms | p99 ms | max ms | note |");
        sb.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var row in rows)
        {
            sb.AppendLine(inv, $"| {row.What} | {row.SortedMs.Count} | {Stats.Median(row.SortedMs):0.00} | {Stats.Percentile(row.SortedMs, 99):0.00} | {row.SortedMs[^1]:0.00} | {row.Note} |");
        }

        sb.AppendLine();
        sb.AppendLine("p99 is nearest-rank: with fewer than 100 samples it is the slowest one.");
        Console.Out.Write(sb.ToString());
    }
}
