using System.Threading.Channels;
using StackExchange.Redis;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// Follows one Redis stream without blocking commands, which a shared StackExchange.Redis multiplexer does
/// not support: writers PUBLISH a signal after each XADD; the follower reads (XREAD, non-blocking) whenever a
/// signal arrives, when the connection is restored, and once at start. Idle costs nothing; latency is one
/// pub/sub hop plus one read. A signal lost while disconnected is covered by the read on reconnect.
/// </summary>
internal sealed partial class StreamFollower(IConnectionMultiplexer redis, RedisCounters counters, ILogger<StreamFollower> logger)
{
    private const int BatchSize = 256;

    /// <summary>Reads <paramref name="stream"/> after <paramref name="afterId"/> until cancelled, handing each batch to <paramref name="handle"/>.</summary>
    /// <param name="stream">The stream key.</param>
    /// <param name="afterId">Read entries after this id ("0-0" for all).</param>
    /// <param name="handle">Processes a batch; the follower moves past it when it returns. Exceptions are logged and the batch is skipped.</param>
    /// <param name="cancellationToken">Stops following.</param>
    public async Task FollowAsync(RedisKey stream, RedisValue afterId, Func<StreamEntry[], Task> handle, CancellationToken cancellationToken)
    {
        var signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void Wake() => signal.Writer.TryWrite(true);
        void OnRestored(object? sender, ConnectionFailedEventArgs e) => Wake();

        var subscriber = redis.GetSubscriber();
        var channel = RedisKeys.StreamSignal(stream);
        redis.ConnectionRestored += OnRestored;
        var backoff = TimeSpan.FromMilliseconds(100);
        var subscribed = false;
        try
        {
            Wake();
            while (await signal.Reader.WaitToReadAsync(cancellationToken))
            {
                signal.Reader.TryRead(out _);
                try
                {
                    if (!subscribed)
                    {
                        await subscriber.SubscribeAsync(channel, (_, _) => Wake());
                        subscribed = true;
                    }

                    StreamEntry[] batch;
                    do
                    {
                        batch = await redis.GetDatabase().StreamReadAsync(stream, afterId, BatchSize);
                        if (batch.Length == 0)
                        {
                            break;
                        }

                        try
                        {
                            await handle(batch);
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            LogBatchFailed(stream.ToString(), ex);
                        }

                        afterId = batch[^1].Id;
                    }
                    while (batch.Length == BatchSize && !cancellationToken.IsCancellationRequested);

                    backoff = TimeSpan.FromMilliseconds(100);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    counters.Increment(RedisCounters.RedisErrors);
                    LogReadFailed(stream.ToString(), backoff, ex);
                    await Task.Delay(backoff, cancellationToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                    Wake();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            redis.ConnectionRestored -= OnRestored;
            if (subscribed)
            {
                await subscriber.UnsubscribeAsync(channel);
            }
        }
    }

    [LoggerMessage(EventId = 520, Level = LogLevel.Warning, Message = "Reading {Stream} failed; retrying in {Backoff}.")]
    private partial void LogReadFailed(string stream, TimeSpan backoff, Exception exception);

    [LoggerMessage(EventId = 521, Level = LogLevel.Error, Message = "Handling a batch of {Stream} failed; the batch is skipped.")]
    private partial void LogBatchFailed(string stream, Exception exception);
}
