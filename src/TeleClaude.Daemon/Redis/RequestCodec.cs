using StackExchange.Redis;

namespace TeleClaude.Daemon.Redis;

/// <summary>A request read from <c>messages:{computer}</c>; its id is the entry id, answered on <c>output:{id}</c>.</summary>
internal sealed record RemoteRequest(string Id, string Command, string Initiator, string? ArgsJson);

/// <summary>An answer read from <c>output:{request_id}</c>: who answered (null when the responder did not say) and the envelope.</summary>
internal sealed record RemoteResponse(string? Source, ResponseEnvelope Envelope);

/// <summary>
/// The one writer and the one reader of requests (<c>command</c>, <c>initiator</c>, optional <c>args</c> JSON) and of
/// their answers (<c>chunk</c>: the envelope JSON; <c>source</c>: the responder, optional for peers that leave it out).
/// </summary>
internal static class RequestCodec
{
    public static NameValueEntry[] EncodeRequest(string command, string initiator, string? argsJson) => argsJson is null
        ? [new("command", command), new("initiator", initiator)]
        : [new("command", command), new("initiator", initiator), new("args", argsJson)];

    /// <summary>Decodes a request; false with the reason (and the initiator when one can be told, to answer the error to).</summary>
    public static bool TryDecodeRequest(StreamEntry entry, out RemoteRequest request, out string? initiator, out string problem)
    {
        request = null!;
        initiator = (string?)entry["initiator"];
        if (!SessionCodec.IsComputerName(initiator))
        {
            initiator = null;
            problem = "it needs an initiator field naming a computer";
            return false;
        }

        var command = (string?)entry["command"];
        if (string.IsNullOrEmpty(command))
        {
            problem = "it has no command field";
            return false;
        }

        request = new RemoteRequest(entry.Id.ToString(), command, initiator!, (string?)entry["args"]);
        problem = "";
        return true;
    }

    public static NameValueEntry[] EncodeResponse(ResponseEnvelope envelope, string source) =>
        [new("chunk", RedisJson.Serialize(envelope)), new("source", source)];

    /// <summary>Decodes an answer; false with the reason when the chunk is missing or is not an envelope.</summary>
    public static bool TryDecodeResponse(StreamEntry entry, out RemoteResponse response, out string problem)
    {
        response = null!;
        var chunk = (string?)entry["chunk"];
        var source = (string?)entry["source"];
        var envelope = RedisJson.TryDeserialize<ResponseEnvelope>(chunk);
        if (envelope is null || (envelope.Status != ResponseEnvelope.Success && envelope.Status != ResponseEnvelope.Failure))
        {
            problem = chunk is null ? "no chunk field" : $"not an envelope: {WireValues.Clip(chunk, 120)}";
            return false;
        }

        response = new RemoteResponse(string.IsNullOrEmpty(source) ? null : source, envelope);
        problem = "";
        return true;
    }
}
