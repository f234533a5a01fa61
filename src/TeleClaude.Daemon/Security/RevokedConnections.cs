using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.SignalR;
using TeleClaude.Daemon.Resilience;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// Hub connections opened with a token (the bearer token, or the dashboard cookie issued for it) live on after the
/// request that authenticated them, so a rotated token would not reach them: a browser left open would keep receiving
/// pushes. This filter notes which token fingerprint each such connection was opened with (Unix-socket connections carry
/// none and are not affected); <see cref="RevokedConnectionSweeper"/> closes those whose token is no longer current. The
/// client's reconnect is then refused with 401, and the dashboard shows its sign-in.
/// </summary>
internal sealed class RevocableHubConnections : IHubFilter
{
    private readonly ConcurrentDictionary<string, (HubCallerContext Context, string Fingerprint)> _connections = new(StringComparer.Ordinal);

    public int Count => _connections.Count;

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        if (context.Context.User?.FindFirstValue(DashboardCookie.FingerprintClaim) is { } fingerprint)
        {
            _connections[context.Context.ConnectionId] = (context.Context, fingerprint);
        }

        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        _connections.TryRemove(context.Context.ConnectionId, out _);
        await next(context, exception);
    }

    /// <summary>Closes every connection whose token is not <paramref name="isCurrent"/>; how many were closed.</summary>
    public int CloseStale(Func<string, bool> isCurrent)
    {
        var closed = 0;
        foreach (var (id, (context, fingerprint)) in _connections)
        {
            if (!isCurrent(fingerprint) && _connections.TryRemove(id, out _))
            {
                context.Abort();
                closed++;
            }
        }

        return closed;
    }
}

/// <summary>
/// Every <see cref="SweepInterval"/>, while any token-authenticated hub connection is open, checks the token file (one
/// stat; it is re-read only when it changed) and closes the connections of a rotated token.
/// </summary>
internal sealed partial class RevokedConnectionSweeper(
    RevocableHubConnections connections, AccessTokenFile tokens, TimeProvider time, ILogger<RevokedConnectionSweeper> logger) : BackgroundService
{
    /// <summary>How long a rotated token's hub connections may outlive it.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = Backoff.Forever("Closing hub connections of a rotated token", time, logger);
        using var timer = new PeriodicTimer(SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (connections.Count == 0)
                {
                    continue;
                }

                await retry.ExecuteAsync(_ =>
                {
                    if (connections.CloseStale(tokens.IsCurrentFingerprint) is var closed and > 0)
                    {
                        LogClosed(closed);
                    }

                    return ValueTask.CompletedTask;
                }, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 765, Level = LogLevel.Information, Message = "Closed {Count} hub connection(s) opened with a token that has been rotated since.")]
    private partial void LogClosed(int count);
}
