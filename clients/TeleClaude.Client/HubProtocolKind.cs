namespace TeleClaude.Client;

/// <summary>The SignalR hub protocol a client speaks.</summary>
public enum HubProtocolKind
{
    /// <summary>JSON text frames, snake_case like the REST API.</summary>
    Json,

    /// <summary>Binary MessagePack frames: smaller and faster.</summary>
    MessagePack,
}
