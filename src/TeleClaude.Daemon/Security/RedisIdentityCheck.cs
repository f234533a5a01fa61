using System.Threading.Channels;
using StackExchange.Redis;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// Checks once the daemon is up, and again whenever the Redis connection comes back, that Redis took it for
/// the configured ACL user (<see cref="RedisConnectionSecurity.CheckIdentityAsync"/>).
/// </summary>
internal sealed class RedisIdentityCheck(IServiceProvider services, RedisConnectionSecurity security) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolving the multiplexer connects (synchronously): not on the thread that starts the host.
        await Task.Yield();
        var redis = services.GetRequiredService<IConnectionMultiplexer>();
        var restored = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnRestored(object? sender, ConnectionFailedEventArgs e) => restored.Writer.TryWrite(true);
        redis.ConnectionRestored += OnRestored;
        try
        {
            do
            {
                await security.CheckIdentityAsync(redis, stoppingToken);
            }
            while (await restored.Reader.WaitToReadAsync(stoppingToken) && restored.Reader.TryRead(out _));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            redis.ConnectionRestored -= OnRestored;
        }
    }
}
