using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;
using TeleClaude.Daemon.Redis;

namespace TeleClaude.LoadHarness;

/// <summary>
/// A peer that writes only the README's MUST rows with plain commands, as a redis-cli script would: its heartbeat key
/// (<c>SET ... EX</c>), session events (<c>XADD</c>), and answers to <c>list_sessions</c> read with a blocking
/// <c>XREAD</c> on its own connection. It never PUBLISHes and runs no TeleClaude code.
/// </summary>
internal sealed class PlainPeer : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _writer;
    private readonly ConnectionMultiplexer _reader;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private string _sessionsJson = "[]";

    private PlainPeer(string name, ConnectionMultiplexer writer, ConnectionMultiplexer reader)
    {
        Name = name;
        _writer = writer;
        _reader = reader;
    }

    public string Name { get; }

    /// <summary>Requests answered so far.</summary>
    public int Answered;

    public static async Task<PlainPeer> StartAsync(string configuration, string name)
    {
        var writer = await ConnectionMultiplexer.ConnectAsync(configuration);
        var options = ConfigurationOptions.Parse(configuration);
        options.AsyncTimeout = 15_000;
        options.SyncTimeout = 15_000;
        var reader = await ConnectionMultiplexer.ConnectAsync(options);
        return new PlainPeer(name, writer, reader);
    }

    /// <summary>The JSON array of (partial) sessions that list_sessions answers with.</summary>
    public void SetSessions(string json) => Volatile.Write(ref _sessionsJson, json);

    /// <summary>Writes the heartbeat key now and then every <paramref name="interval"/>.</summary>
    public async Task StartHeartbeatAsync(TimeSpan interval)
    {
        await WriteHeartbeatAsync();
        _loops.Add(Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(interval, _stop.Token);
                    await WriteHeartbeatAsync();
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }));
    }

    private Task WriteHeartbeatAsync() => WriteHeartbeatAsync(_writer.GetDatabase(), Name);

    /// <summary>The MUST row of a heartbeat: the key with an expiry; the JSON says only who and when.</summary>
    public static Task WriteHeartbeatAsync(IDatabase db, string name) => db.StringSetAsync(
        $"computer:{name}:heartbeat",
        string.Create(CultureInfo.InvariantCulture, $"{{\"computer_name\":\"{name}\",\"last_seen\":\"{DateTimeOffset.UtcNow:O}\"}}"),
        TimeSpan.FromSeconds(60));

    /// <summary>Answers requests on <c>messages:{name}</c>: list_sessions with the current list, anything else with an error.</summary>
    public async Task StartServingAsync()
    {
        var writer = _writer.GetDatabase();
        var stream = $"messages:{Name}";
        var newest = await writer.StreamRangeAsync(stream, "-", "+", count: 1, messageOrder: Order.Descending);
        var position = newest.Length == 0 ? "0-0" : newest[0].Id.ToString();
        var reader = _reader.GetDatabase();
        _loops.Add(Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                RedisResult reply;
                try
                {
                    reply = await reader.ExecuteAsync("XREAD", "COUNT", "16", "BLOCK", "2000", "STREAMS", stream, position);
                }
                catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
                {
                    return;
                }

                foreach (var entry in XReadReply.Parse(reply).SelectMany(s => s.Entries))
                {
                    var id = entry.Id.ToString();
                    var command = (string?)entry["command"];
                    var chunk = command == "list_sessions"
                        ? $"{{\"status\":\"success\",\"data\":{Volatile.Read(ref _sessionsJson)}}}"
                        : $"{{\"status\":\"error\",\"error\":{JsonSerializer.Serialize($"{Name} does not answer {command}")}}}";
                    await writer.StreamAddAsync($"output:{id}", "chunk", chunk);
                    Interlocked.Increment(ref Answered);
                    position = id;
                }
            }
        }));
    }

    /// <summary>One plain <c>XADD session_events:{target} * event E source NAME data JSON</c>.</summary>
    public Task<RedisValue> AddEventAsync(string target, string eventName, string dataJson) =>
        _writer.GetDatabase().StreamAddAsync(
            $"session_events:{target}",
            [new NameValueEntry("event", eventName), new NameValueEntry("source", Name), new NameValueEntry("data", dataJson)]);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }

        await _reader.DisposeAsync();
        await _writer.DisposeAsync();
        _stop.Dispose();
    }
}
