using System.Diagnostics.CodeAnalysis;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using TeleClaude.Contracts;

namespace TeleClaude.Client;

/// <summary>
/// Typed client of the daemon's <see cref="ISessionsHub"/> over its Unix socket. Pushes are delivered to
/// the <see cref="ISessionsClient"/> given at creation; hub methods are named with <c>nameof</c>.
/// </summary>
public sealed class SessionsHubClient : ISessionsHub, IAsyncDisposable
{
    private SessionsHubClient(HubConnection connection) => Connection = connection;

    /// <summary>The underlying connection (state, Closed/Reconnecting/Reconnected events).</summary>
    public HubConnection Connection { get; }

    /// <summary>
    /// Builds a client for the daemon listening on <paramref name="socketPath"/>; call <see cref="StartAsync"/> next.
    /// </summary>
    /// <param name="socketPath">The daemon's Unix socket.</param>
    /// <param name="receiver">Receives every push.</param>
    /// <param name="protocol">Wire protocol.</param>
    /// <param name="transports">Allowed transports; WebSockets by default, with long polling as a tested fallback.</param>
    /// <param name="reconnect">Reconnect automatically after a lost connection (0, 2, 10, 30 s, then every 30 s).</param>
    public static SessionsHubClient Create(
        string socketPath,
        ISessionsClient receiver,
        HubProtocolKind protocol = HubProtocolKind.Json,
        HttpTransportType transports = HttpTransportType.WebSockets,
        bool reconnect = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        ArgumentNullException.ThrowIfNull(receiver);

        // One handler per client for the WebSocket upgrade; SignalR owns the handler it gets from the factory below.
        var webSocketInvoker = new HttpMessageInvoker(UnixSocketHttp.CreateHandler(socketPath));
        var builder = new HubConnectionBuilder().WithUrl(new Uri(UnixSocketHttp.BaseAddress, HubRoutes.Sessions.TrimStart('/')), transports, options =>
        {
            options.HttpMessageHandlerFactory = _ => UnixSocketHttp.CreateHandler(socketPath);
            options.WebSocketFactory = async (context, cancellationToken) =>
            {
                // ClientWebSocket cannot dial a Unix socket itself; it can run over an invoker that does.
                var webSocket = new ClientWebSocket();
                try
                {
                    await webSocket.ConnectAsync(context.Uri, webSocketInvoker, cancellationToken).ConfigureAwait(false);
                    return webSocket;
                }
                catch
                {
                    webSocket.Dispose();
                    throw;
                }
            };
        });

        if (protocol == HubProtocolKind.MessagePack)
        {
            if (!IsMessagePackSupported)
            {
                throw new NotSupportedException("The MessagePack hub protocol needs runtime code generation; this build (trimmed or native AOT) speaks JSON only.");
            }

            AddMessagePack(builder);
        }
        else
        {
            builder.AddJsonProtocol(o => WireJson.Configure(o.PayloadSerializerOptions));
        }

        if (reconnect)
        {
            builder.WithAutomaticReconnect(new ForeverRetryPolicy());
        }

        var connection = builder.Build();
        Register(connection, receiver);
        return new SessionsHubClient(connection);
    }

    /// <summary>Connects to the daemon.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => Connection.StartAsync(cancellationToken);

    /// <inheritdoc />
    public Task Subscribe(string view) => Connection.InvokeAsync(nameof(ISessionsHub.Subscribe), view);

    /// <inheritdoc />
    public Task Unsubscribe(string view) => Connection.InvokeAsync(nameof(ISessionsHub.Unsubscribe), view);

    /// <inheritdoc />
    public Task Refresh(string view) => Connection.InvokeAsync(nameof(ISessionsHub.Refresh), view);

    /// <inheritdoc />
    public Task Watch(string sessionId) => Connection.InvokeAsync(nameof(ISessionsHub.Watch), sessionId);

    /// <inheritdoc />
    public Task Unwatch(string sessionId) => Connection.InvokeAsync(nameof(ISessionsHub.Unwatch), sessionId);

    /// <inheritdoc />
    public Task<DaemonVersion> GetVersion() => Connection.InvokeAsync<DaemonVersion>(nameof(ISessionsHub.GetVersion));

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    private static void Register(HubConnection connection, ISessionsClient receiver)
    {
        connection.On<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), receiver.SessionsState);
        connection.On<PreparationSnapshot>(nameof(ISessionsClient.PreparationState), receiver.PreparationState);
        connection.On<SessionInfo>(nameof(ISessionsClient.SessionCreated), receiver.SessionCreated);
        connection.On<SessionInfo>(nameof(ISessionsClient.SessionUpdated), receiver.SessionUpdated);
        connection.On<SessionInfo>(nameof(ISessionsClient.SessionTerminated), receiver.SessionTerminated);
        connection.On<AgentEventInfo>(nameof(ISessionsClient.AgentEvent), receiver.AgentEvent);
        connection.On<InputReceivedInfo>(nameof(ISessionsClient.InputReceived), receiver.InputReceived);
        connection.On<ComputerInfo>(nameof(ISessionsClient.ComputerUpdated), receiver.ComputerUpdated);
        connection.On<ComputerInfo>(nameof(ISessionsClient.ComputerOffline), receiver.ComputerOffline);
        connection.On<ProjectsUpdate>(nameof(ISessionsClient.ProjectsUpdated), receiver.ProjectsUpdated);
        connection.On<TodosUpdate>(nameof(ISessionsClient.TodosUpdated), receiver.TodosUpdated);
        connection.On<SessionOutput>(nameof(ISessionsClient.SessionOutput), receiver.SessionOutput);
    }

    /// <summary>
    /// MessagePack's resolvers generate code at run time. Apps published trimmed or as native AOT (telec) turn this
    /// switch off (<c>RuntimeHostConfigurationOption TeleClaude.Client.MessagePackProtocol=false, Trim=true</c>), which
    /// removes the MessagePack path from their build; everyone else keeps both protocols.
    /// </summary>
    [FeatureSwitchDefinition(MessagePackSwitch)]
    internal static bool IsMessagePackSupported => !AppContext.TryGetSwitch(MessagePackSwitch, out var enabled) || enabled;

    private const string MessagePackSwitch = "TeleClaude.Client.MessagePackProtocol";

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only reached when IsMessagePackSupported; trimmed and AOT apps turn that switch off, which removes this call from their build.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "As above.")]
    private static void AddMessagePack(IHubConnectionBuilder builder) => builder.AddMessagePackProtocol();

    private sealed class ForeverRetryPolicy : IRetryPolicy
    {
        private static readonly TimeSpan[] Delays = [TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)];

        public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
            retryContext.PreviousRetryCount < Delays.Length ? Delays[retryContext.PreviousRetryCount] : TimeSpan.FromSeconds(30);
    }
}
