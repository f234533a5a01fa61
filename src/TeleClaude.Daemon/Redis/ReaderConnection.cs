using System.Globalization;
using StackExchange.Redis;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// The dedicated connection of <see cref="StreamFollower"/>: a second multiplexer that only ever runs one blocking
/// <c>XREAD</c> at a time (a blocking command on the shared multiplexer would stall every other command behind it).
/// Its timeouts are above the block time; it has no pub/sub connection; commands fail at once while it is
/// disconnected (no backlog), so the follower's retry loop decides when to try again. After each (re)connect the
/// follower asks for its <c>CLIENT ID</c> (to wake it with <c>CLIENT UNBLOCK</c>) and the server's <c>run_id</c>
/// (a new one means Redis restarted and may have lost entries).
/// </summary>
internal sealed class ReaderConnection : IAsyncDisposable
{
    // Without SUBSCRIBE the multiplexer opens no second (pub/sub) connection and sends no pings on it; without CONFIG
    // it does not probe the server's configuration on connect (which a minimal ACL user is refused).
    private static readonly HashSet<string> UnusedCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "CONFIG",
    };

    private readonly ConnectionMultiplexer _multiplexer;
    private long _generation = 1;

    private ReaderConnection(ConnectionMultiplexer multiplexer)
    {
        _multiplexer = multiplexer;
        _multiplexer.ConnectionRestored += OnConnectionChanged;
        _multiplexer.ConnectionFailed += OnConnectionChanged;
    }

    /// <summary>Changes whenever the connection drops or comes back: what was learned about the old one is stale.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public IDatabase Database => _multiplexer.GetDatabase();

    /// <summary>
    /// Opens the connection (returns even when Redis is down: the first command then fails and is retried) with the
    /// daemon's connection options (<see cref="RedisConnectionOptions"/>) and what a blocking reader needs on top.
    /// </summary>
    public static async Task<ReaderConnection> OpenAsync(ConfigurationOptions options, TimeSpan blockTime)
    {
        // StackExchange.Redis counts INFO (for the run_id) as an admin command; this connection runs nothing else of the kind.
        options.AllowAdmin = true;
        var timeout = (int)(blockTime + TimeSpan.FromSeconds(10)).TotalMilliseconds;
        options.AsyncTimeout = Math.Max(options.AsyncTimeout, timeout);
        options.SyncTimeout = Math.Max(options.SyncTimeout, timeout);
        options.BacklogPolicy = BacklogPolicy.FailFast;
        if (ReferenceEquals(options.CommandMap, CommandMap.Default))
        {
            options.CommandMap = CommandMap.Create(UnusedCommands, available: false);
            options.ConfigurationChannel = "";
        }

        options.TieBreaker = "";
        // No periodic INFO replication: the XREAD re-issued every block time keeps the connection busy and checked, and
        // a role change of the server drops the connection anyway (then it reconnects and checks for gaps).
        options.ConfigCheckSeconds = 0;
        return new ReaderConnection(await ConnectionMultiplexer.ConnectAsync(options));
    }

    /// <summary>This connection's id on the server, for <c>CLIENT UNBLOCK</c>.</summary>
    public async Task<long> ClientIdAsync() => (long)await Database.ExecuteAsync("CLIENT", "ID");

    /// <summary>The server's <c>run_id</c>: it changes when redis-server restarts.</summary>
    public async Task<string?> RunIdAsync()
    {
        var info = (string?)await Database.ExecuteAsync("INFO", "server");
        foreach (var line in (info ?? "").Split('\n'))
        {
            if (line.StartsWith("run_id:", StringComparison.Ordinal))
            {
                return line["run_id:".Length..].Trim();
            }
        }

        return null;
    }

    /// <summary>
    /// One <c>XREAD COUNT count BLOCK ms STREAMS k... id...</c>. Returns at the first entry on any stream, when the
    /// block runs out, or when another connection unblocks it.
    /// </summary>
    public async Task<IReadOnlyList<(string Stream, StreamEntry[] Entries)>> ReadAsync(
        IReadOnlyList<(RedisKey Stream, string Position)> streams, int count, TimeSpan block)
    {
        var args = new object[5 + (2 * streams.Count)];
        args[0] = "COUNT";
        args[1] = count.ToString(CultureInfo.InvariantCulture);
        args[2] = "BLOCK";
        args[3] = ((long)block.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        args[4] = "STREAMS";
        for (var i = 0; i < streams.Count; i++)
        {
            args[5 + i] = streams[i].Stream;
            args[5 + streams.Count + i] = streams[i].Position;
        }

        return XReadReply.Parse(await Database.ExecuteAsync("XREAD", args));
    }

    /// <summary>The stream's state, or null when it does not exist.</summary>
    public async Task<StreamInfo?> InfoAsync(RedisKey stream)
    {
        try
        {
            return await Database.StreamInfoAsync(stream);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }

    private void OnConnectionChanged(object? sender, ConnectionFailedEventArgs e) => Interlocked.Increment(ref _generation);

    public async ValueTask DisposeAsync()
    {
        _multiplexer.ConnectionRestored -= OnConnectionChanged;
        _multiplexer.ConnectionFailed -= OnConnectionChanged;
        await _multiplexer.CloseAsync(allowCommandsToComplete: false);
        await _multiplexer.DisposeAsync();
    }
}
