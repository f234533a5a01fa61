namespace Telec.Connection;

internal enum ConnectionState
{
    Connecting,
    Connected,
    Reconnecting,
    Disconnected,
}

/// <summary>What the footer shows about the hub connection; <paramref name="Problem"/> explains a disconnect.</summary>
internal sealed record ConnectionStatus(ConnectionState State, string? Problem = null)
{
    public string Label => State switch
    {
        ConnectionState.Connecting => "connecting",
        ConnectionState.Connected => "connected",
        ConnectionState.Reconnecting => "reconnecting",
        _ => "disconnected",
    };
}
