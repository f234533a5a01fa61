using System.Diagnostics;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Hubs;

namespace TeleClaude.LoadHarness;

/// <summary>The sessions view (criterion 1) and the preparation view: cold and warm loads, and the hub's Refresh.</summary>
internal static partial class CriteriaBenchmark
{
    /// <summary>
    /// The sessions view as in the transport benchmark: cold = the local cache's remote sessions cleared and nobody subscribed
    /// (Subscribe pulls from every remote in parallel); warm = a new client while another holds the view.
    /// </summary>
    private static async Task<List<PreparationRow>> SessionsViewAsync(BenchDaemon local, List<BenchDaemon> remotes, SessionInfo[][] sessions, CriteriaSettings settings)
    {
        var n = remotes.Count;
        var ids = sessions.SelectMany(x => x).Select(x => x.SessionId).ToArray();
        Progress($"{n} remotes: sessions view, {settings.PreparationRuns} cold (after 1 warm-up) and {settings.PreparationRuns} warm loads");
        var cold = new List<double>();
        var firstComplete = 0;
        for (var round = 0; round <= settings.PreparationRuns; round++)
        {
            var (ms, first) = await TransportBenchmark.ColdViewAsync(local, remotes, ids);
            if (round > 0)
            {
                cold.Add(ms);
                firstComplete += first ? 1 : 0;
            }
        }

        var warm = new List<double>();
        var holder = SessionsHubClient.Create(local.SocketPath, new ViewReceiver(ids));
        await using (holder)
        {
            await holder.StartAsync().WaitAsync(WaitTimeout);
            await holder.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
            for (var round = 0; round < settings.PreparationRuns; round++)
            {
                var receiver = new ViewReceiver(ids);
                var start = Stopwatch.GetTimestamp();
                var client = SessionsHubClient.Create(local.SocketPath, receiver);
                await using (client)
                {
                    await client.StartAsync().WaitAsync(WaitTimeout);
                    await client.Subscribe(Views.Sessions).WaitAsync(WaitTimeout);
                    warm.Add(Stopwatch.GetElapsedTime(start, await receiver.Complete.WaitAsync(WaitTimeout)).TotalMilliseconds);
                }
            }
        }

        await WaitForInterestAsync(remotes, LocalName, interested: false);
        cold.Sort();
        warm.Sort();
        return
        [
            new PreparationRow(n, "sessions cold", cold, cold, $"first SessionsState complete in {firstComplete}/{settings.PreparationRuns}"),
            new PreparationRow(n, "sessions warm", warm, warm, "another client holds the view: served from the cache"),
        ];
    }

    private static async Task<List<PreparationRow>> PreparationAsync(BenchDaemon local, List<BenchDaemon> remotes, CriteriaSettings settings)
    {
        var n = remotes.Count;
        var expected = remotes.Select(r => (r.Name, r.ProjectPath)).ToArray();
        var interest = local.Get<InterestManager>();
        Progress($"{n} remotes: preparation view, {settings.PreparationRuns} cold (after 1 warm-up) and {settings.PreparationRuns} warm loads");
        var coldTotal = new List<double>();
        var coldSubscribe = new List<double>();
        var firstComplete = 0;
        for (var round = 0; round <= settings.PreparationRuns; round++)
        {
            // Cold: nobody holds the view, so Subscribe is its first subscriber; RefreshAsync drops the cached
            // projects and todos and pulls them again (projects, then all todos, from every remote in parallel).
            await HarnessWaits.WaitUntilAsync(() => !interest.IsInterested(Views.Preparation), WaitTimeout, "the local daemon has no preparation subscriber");
            var (total, subscribe, first) = await LoadPreparationAsync(local, expected);
            if (round > 0)
            {
                coldTotal.Add(total);
                coldSubscribe.Add(subscribe);
                firstComplete += first ? 1 : 0;
            }
        }

        var warmTotal = new List<double>();
        var warmSubscribe = new List<double>();
        List<double> refresh;
        var holderReceiver = new PreparationReceiver(expected, TodosPerProject);
        var holder = SessionsHubClient.Create(local.SocketPath, holderReceiver);
        await using (holder)
        {
            await holder.StartAsync().WaitAsync(WaitTimeout);
            await holder.Subscribe(Views.Preparation).WaitAsync(WaitTimeout);
            await WaitViewAsync(holderReceiver.Complete, () => holderReceiver.Missing, n);
            for (var round = 0; round < settings.PreparationRuns; round++)
            {
                var (total, subscribe, _) = await LoadPreparationAsync(local, expected);
                warmTotal.Add(total);
                warmSubscribe.Add(subscribe);
            }

            refresh = await TimeRefreshAsync(holder, Views.Preparation, settings.PreparationRuns);
        }

        coldTotal.Sort();
        coldSubscribe.Sort();
        warmTotal.Sort();
        warmSubscribe.Sort();
        return
        [
            new PreparationRow(n, "cold", coldTotal, coldSubscribe, $"first PreparationState complete in {firstComplete}/{settings.PreparationRuns}"),
            new PreparationRow(n, "warm", warmTotal, warmSubscribe, "another client holds the view: served from the cache"),
            new PreparationRow(n, "refresh preparation", refresh, refresh, "drops the cached projects and todos, pulls projects then todos from every remote again, sends the full state"),
        ];
    }

    /// <summary>Times the hub's Refresh (the TUI's 'r'): it returns after the pulls finished and the full state was sent.</summary>
    private static async Task<List<double>> TimeRefreshAsync(SessionsHubClient client, string view, int runs)
    {
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await client.Refresh(view).WaitAsync(WaitTimeout);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        times.Sort();
        return times;
    }

    /// <summary>A new client connects and subscribes to preparation; timed until every remote project shows all its todos.</summary>
    private static async Task<(double TotalMs, double SubscribeMs, bool FirstStateComplete)> LoadPreparationAsync(BenchDaemon local, (string, string)[] expected)
    {
        var receiver = new PreparationReceiver(expected, TodosPerProject);
        var start = Stopwatch.GetTimestamp();
        var client = SessionsHubClient.Create(local.SocketPath, receiver);
        await using (client)
        {
            await client.StartAsync().WaitAsync(WaitTimeout);
            var subscribeStart = Stopwatch.GetTimestamp();
            await client.Subscribe(Views.Preparation).WaitAsync(WaitTimeout);
            var end = await WaitViewAsync(receiver.Complete, () => receiver.Missing, expected.Length);
            return (Stopwatch.GetElapsedTime(start, end).TotalMilliseconds, Stopwatch.GetElapsedTime(subscribeStart, end).TotalMilliseconds, receiver.FirstStateComplete);
        }
    }

    private static async Task<long> WaitViewAsync(Task<long> complete, Func<int> missing, int expected)
    {
        try
        {
            return await complete.WaitAsync(WaitTimeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"The preparation view lacked {missing()} of {expected} complete projects after {WaitTimeout.TotalSeconds:0} s.", ex);
        }
    }
}
