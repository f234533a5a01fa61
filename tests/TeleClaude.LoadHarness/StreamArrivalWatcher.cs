using System.Collections.Concurrent;
using System.Diagnostics;
using StackExchange.Redis;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.LoadHarness;

/// <summary>
/// Timestamps the moment an entry becomes readable on a stream, from outside the daemons: its own connection runs
/// <c>XREAD BLOCK</c> on the stream in a loop (as the local daemon's reader does, on another connection), and records
/// <see cref="Stopwatch.GetTimestamp"/> when each batch arrives.
/// </summary>
internal sealed class StreamArrivalWatcher : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _mux;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private StreamArrivalWatcher(ConnectionMultiplexer mux, string stream, string startId)
    {
        _mux = mux;
        _loop = Task.Run(() => LoopAsync(stream, startId));
    }

    public ConcurrentQueue<long> Arrivals { get; } = new();

    public static async Task<StreamArrivalWatcher> StartAsync(string configuration, string stream)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AsyncTimeout = 10_000;
        options.SyncTimeout = 10_000;
        var mux = await ConnectionMultiplexer.ConnectAsync(options);
        var last = await mux.GetDatabase().StreamRangeAsync(stream, "-", "+", count: 1, messageOrder: Order.Descending);
        return new StreamArrivalWatcher(mux, stream, last.Length == 0 ? "0-0" : last[0].Id.ToString());
    }

    private async Task LoopAsync(string stream, string position)
    {
        var db = _mux.GetDatabase();
        while (!_stop.IsCancellationRequested)
        {
            RedisResult reply;
            try
            {
                reply = await db.ExecuteAsync("XREAD", "COUNT", "1000", "BLOCK", "1000", "STREAMS", stream, position);
            }
            catch (RedisException)
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            var entries = XReadReply.Parse(reply).SelectMany(s => s.Entries).ToArray();
            if (entries.Length > 0)
            {
                Arrivals.Enqueue(now);
                position = entries[^1].Id.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        await _mux.DisposeAsync();
        _stop.Dispose();
    }
}
