using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.LoadHarness;

/// <summary>Where one event's time goes.</summary>
internal static partial class CriteriaBenchmark
{
    /// <summary>
    /// Sequential events (one in flight) with a timestamp at each point the harness can observe:
    /// publish on the remote; the entry read from the local daemon's stream by a harness connection blocked in XREAD on it (as
    /// the daemon's reader is); the start and end of the hub group send (decorated HubLifetimeManager); the client's handler.
    /// </summary>
    private static async Task<ProfileResult> ProfileAsync(HarnessRedis redis, HubSendTimer timer, Publisher publisher, EventReceiver receiver, int n, int events)
    {
        const int warmUp = 20;
        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        await using var watcher = await StreamArrivalWatcher.StartAsync(redis.Configuration, RedisKeys.SessionEvents(LocalName).ToString());
        var arrivals = watcher.Arrivals;

        // Reference: one XADD round trip from this process (same client library as the daemons).
        var db = mux.GetDatabase();
        var xadd = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await db.StreamAddAsync("bench:rtt", [new NameValueEntry("k", "v")], maxLength: 100, useApproximateMaxLength: true);
            if (i >= 20)
            {
                xadd.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }

        await db.KeyDeleteAsync("bench:rtt");
        xadd.Sort();

        var stages = new[]
        {
            "remote publish → entry read by a blocked XREAD (remote emitter wake, JSON, XADD, blocked read returns)",
            "entry read → hub group send starts (local reader wake, decode, cache apply, push loop wake)",
            "hub group send (serialize, write to the connection)",
            "send returned → client handler (socket, client parse, dispatch)",
            "end to end: remote publish → client handler",
        }.Select(name => new StageRow(name, [])).ToArray();
        timer.Clear();
        timer.Enabled = true;
        try
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"prof{n}#");
            receiver.Arm(prefix, warmUp + events);
            for (var i = 0; i < warmUp + events; i++)
            {
                arrivals.Clear();
                var title = prefix + i.ToString(CultureInfo.InvariantCulture);
                var t0 = Stopwatch.GetTimestamp();
                publisher.Publish(prefix, i);
                var deadline = t0 + (long)(WaitTimeout.TotalSeconds * Stopwatch.Frequency);
                while (receiver.Arrivals[i] == 0)
                {
                    if (Stopwatch.GetTimestamp() > deadline)
                    {
                        throw new TimeoutException($"Profile event {i} did not arrive within {WaitTimeout.TotalSeconds:0} s.");
                    }

                    await Task.Delay(1);
                }

                // Let the rest of the path (SQLite last-id write, send completion) finish before the next event.
                await Task.Delay(15);
                var t4 = receiver.Arrivals[i];
                var t1 = arrivals.Where(t => t >= t0).DefaultIfEmpty(0).Min();
                if (i < warmUp || t1 == 0 || !timer.TryGet(title, out var send))
                {
                    continue;
                }

                double Ms(long a, long b) => Stopwatch.GetElapsedTime(a, b).TotalMilliseconds;
                stages[0].Ms.Add(Ms(t0, t1));
                stages[1].Ms.Add(Ms(t1, send.Start));
                stages[2].Ms.Add(Ms(send.Start, send.End));
                stages[3].Ms.Add(Ms(send.End, t4));
                stages[4].Ms.Add(Ms(t0, t4));
            }
        }
        finally
        {
            timer.Enabled = false;
        }

        foreach (var stage in stages)
        {
            stage.Ms.Sort();
        }

        return new ProfileResult(n, stages[^1].Ms.Count, [.. stages], xadd);
    }
}
