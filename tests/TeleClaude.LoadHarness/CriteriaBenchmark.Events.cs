using System.Diagnostics;
using System.Globalization;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Hubs;

namespace TeleClaude.LoadHarness;

/// <summary>Sustained event rates and fan-out to K clients.</summary>
internal static partial class CriteriaBenchmark
{
    private static async Task<(List<RateRow> Rows, long HarnessPeakAt100)> RatesAsync(Publisher publisher, EventReceiver receiver, int n, CriteriaSettings settings)
    {
        // Warm-up (not recorded): JIT and connection buffers on the whole path.
        Progress($"{n} remotes: event warm-up (100 events at 50/s)");
        await RunEventsAsync(publisher, [receiver], $"warm{n}#", 100, 50);

        var rows = new List<RateRow>();
        long peak = 0;
        foreach (var rate in settings.Rates)
        {
            var count = Math.Max(1, (int)Math.Round(rate * settings.RateWindow.TotalSeconds));
            Progress($"{n} remotes: {count} events at {rate}/s");
            using var sampler = rate == MemoryRate ? new PeakSampler(() => Environment.WorkingSet) : null;
            var (publishTs, achieved) = await RunEventsAsync(publisher, [receiver], string.Create(CultureInfo.InvariantCulture, $"rate{n}-{rate}#"), count, rate);
            if (sampler is not null)
            {
                peak = await sampler.StopAsync();
            }

            rows.Add(new RateRow(n, rate, count, receiver.Received, receiver.Duplicates, achieved, Latencies(publishTs, receiver.Arrivals)));
            await Task.Delay(500);
        }

        return (rows, peak);
    }

    /// <summary>Arms the receivers, publishes <paramref name="count"/> paced events, waits (bounded) until every receiver has all.</summary>
    private static async Task<(long[] PublishTs, double AchievedRate)> RunEventsAsync(Publisher publisher, IReadOnlyList<EventReceiver> receivers, string prefix, int count, double rate)
    {
        foreach (var receiver in receivers)
        {
            receiver.Arm(prefix, count);
        }

        var publishTs = await publisher.PublishPacedAsync(prefix, count, rate);
        var achieved = count < 2 ? rate : (count - 1) / Stopwatch.GetElapsedTime(publishTs[0], publishTs[^1]).TotalSeconds;
        var deadline = Stopwatch.GetTimestamp() + (long)(DrainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (receivers.Any(r => r.Received < count) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10);
        }

        return (publishTs, achieved);
    }

    private static List<double> Latencies(long[] publishTs, long[] arrivals)
    {
        var latencies = new List<double>(publishTs.Length);
        for (var i = 0; i < publishTs.Length; i++)
        {
            if (arrivals[i] != 0)
            {
                latencies.Add(Stopwatch.GetElapsedTime(publishTs[i], arrivals[i]).TotalMilliseconds);
            }
        }

        latencies.Sort();
        return latencies;
    }


    private static async Task<List<FanOutRow>> FanOutAsync(
        BenchDaemon local, Publisher publisher, List<(SessionsHubClient Client, EventReceiver Receiver)> clients, int n, CriteriaSettings settings)
    {
        var rows = new List<FanOutRow>();
        foreach (var k in settings.Clients.Order())
        {
            Progress($"{n} remotes: fan-out to {k} clients ({k - Math.Min(k, clients.Count)} more to connect), {settings.FanOutEvents} events at {settings.FanOutRate}/s");
            while (clients.Count < k)
            {
                var batch = Enumerable.Range(0, Math.Min(10, k - clients.Count)).Select(async _ =>
                {
                    var receiver = new EventReceiver();
                    var client = SessionsHubClient.Create(local.SocketPath, receiver);
                    try
                    {
                        await client.StartAsync().WaitAsync(WaitTimeout);
                        await client.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
                        await receiver.FirstState.WaitAsync(WaitTimeout);
                        return (client, receiver);
                    }
                    catch
                    {
                        await client.DisposeAsync();
                        throw;
                    }
                }).ToArray();
                foreach (var task in batch)
                {
                    try
                    {
                        clients.Add(await task);
                    }
                    catch (Exception ex) when (ex is TimeoutException or HttpRequestException or IOException)
                    {
                        throw new InvalidOperationException($"Connecting client {clients.Count + 1} of {k} failed.", ex);
                    }
                }
            }

            await HarnessWaits.WaitForPushesToSettleAsync(local.Get<HubCounters>());
            var receivers = clients.Take(k).Select(c => c.Receiver).ToArray();
            await RunEventsAsync(publisher, receivers, string.Create(CultureInfo.InvariantCulture, $"fan{n}-{k}-warm#"), 10, settings.FanOutRate);
            var (publishTs, _) = await RunEventsAsync(
                publisher, receivers, string.Create(CultureInfo.InvariantCulture, $"fan{n}-{k}#"), settings.FanOutEvents, settings.FanOutRate);
            var last = new List<double>();
            var first = new List<double>();
            for (var i = 0; i < publishTs.Length; i++)
            {
                var arrivals = receivers.Select(r => r.Arrivals[i]).ToArray();
                if (arrivals.All(a => a != 0))
                {
                    last.Add(Stopwatch.GetElapsedTime(publishTs[i], arrivals.Max()).TotalMilliseconds);
                    first.Add(Stopwatch.GetElapsedTime(publishTs[i], arrivals.Min()).TotalMilliseconds);
                }
            }

            last.Sort();
            first.Sort();
            rows.Add(new FanOutRow(n, k, publishTs.Length, last.Count, last, first));
        }

        return rows;
    }
}
