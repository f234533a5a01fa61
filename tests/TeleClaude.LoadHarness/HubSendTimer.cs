using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Hubs;

namespace TeleClaude.LoadHarness;

/// <summary>
/// Profiling hook of the <c>criteria</c> mode: while <see cref="Enabled"/>, records when the daemon's push loop
/// hands a <c>SessionUpdated</c> group send to SignalR and when that send returns (serialized and written to every
/// connection of the group), keyed by the session title. Installed by <see cref="Install"/> as the daemon's
/// <see cref="HubLifetimeManager{THub}"/> (a decorator of the daemon's own <see cref="PushLifetimeManager"/>, whose group
/// send returns once the push is queued in every client's outbox); no production code changes.
/// </summary>
internal sealed class HubSendTimer
{
    private readonly ConcurrentDictionary<string, (long Start, long End)> _sends = new(StringComparer.Ordinal);

    public volatile bool Enabled;

    /// <summary>Registers the decorator in a daemon's services.</summary>
    public void Install(IServiceCollection services) =>
        services.AddSingleton<HubLifetimeManager<SessionsHub>>(sp => new TimedLifetimeManager(sp.GetRequiredService<PushLifetimeManager>(), this));

    /// <summary>Start and end (Stopwatch timestamps) of the group send of the update with this title, if recorded.</summary>
    public bool TryGet(string title, out (long Start, long End) send) => _sends.TryGetValue(title, out send);

    public void Clear() => _sends.Clear();

    private void Record(string methodName, object?[] args, long start, long end)
    {
        if (methodName == nameof(ISessionsClient.SessionUpdated) && args is [SessionInfo { Title: not null } session])
        {
            _sends[session.Title] = (start, end);
        }
    }

    /// <summary>Delegates everything to SignalR's default manager; times group sends when enabled.</summary>
    private sealed class TimedLifetimeManager(HubLifetimeManager<SessionsHub> inner, HubSendTimer timer) : HubLifetimeManager<SessionsHub>
    {
        public override Task OnConnectedAsync(HubConnectionContext connection) => inner.OnConnectedAsync(connection);

        public override Task OnDisconnectedAsync(HubConnectionContext connection) => inner.OnDisconnectedAsync(connection);

        public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
            inner.SendAllAsync(methodName, args, cancellationToken);

        public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
            inner.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);

        public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
            inner.SendConnectionAsync(connectionId, methodName, args, cancellationToken);

        public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
            inner.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);

        public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
        {
            if (!timer.Enabled)
            {
                return inner.SendGroupAsync(groupName, methodName, args, cancellationToken);
            }

            return TimedAsync(groupName, methodName, args, cancellationToken);
        }

        public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
            inner.SendGroupsAsync(groupNames, methodName, args, cancellationToken);

        public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
            inner.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);

        public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
            inner.SendUserAsync(userId, methodName, args, cancellationToken);

        public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
            inner.SendUsersAsync(userIds, methodName, args, cancellationToken);

        public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
            inner.AddToGroupAsync(connectionId, groupName, cancellationToken);

        public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
            inner.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);

        public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
            inner.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);

        public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result) =>
            inner.SetConnectionResultAsync(connectionId, result);

        public override bool TryGetReturnType(string invocationId, [NotNullWhen(true)] out Type? type) =>
            inner.TryGetReturnType(invocationId, out type);

        private async Task TimedAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken)
        {
            var start = Stopwatch.GetTimestamp();
            await inner.SendGroupAsync(groupName, methodName, args, cancellationToken);
            timer.Record(methodName, args, start, Stopwatch.GetTimestamp());
        }
    }
}
