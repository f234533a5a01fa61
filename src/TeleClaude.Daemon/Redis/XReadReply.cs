using StackExchange.Redis;

namespace TeleClaude.Daemon.Redis;

/// <summary>Parses the reply of <c>XREAD</c> sent through <c>ExecuteAsync</c> (StackExchange.Redis has no blocking stream read).</summary>
internal static class XReadReply
{
    /// <summary>
    /// The entries per stream. Null (a block that ran out, or <c>CLIENT UNBLOCK</c>) is no entries. RESP2 answers an
    /// array of <c>[stream, entries]</c> pairs, RESP3 a map of stream to entries; each entry is <c>[id, [field, value, ...]]</c>.
    /// </summary>
    public static IReadOnlyList<(string Stream, StreamEntry[] Entries)> Parse(RedisResult reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.IsNull || reply.Length <= 0)
        {
            return [];
        }

        var streams = new List<(string, StreamEntry[])>();
        if (reply.Resp3Type == ResultType.Map)
        {
            for (var i = 0; i + 1 < reply.Length; i += 2)
            {
                streams.Add(((string)reply[i]!, Entries(reply[i + 1])));
            }
        }
        else
        {
            for (var i = 0; i < reply.Length; i++)
            {
                var pair = reply[i];
                streams.Add(((string)pair[0]!, Entries(pair[1])));
            }
        }

        return streams;
    }

    private static StreamEntry[] Entries(RedisResult list)
    {
        if (list.IsNull || list.Length <= 0)
        {
            return [];
        }

        var entries = new StreamEntry[list.Length];
        for (var i = 0; i < list.Length; i++)
        {
            var entry = list[i];
            var fields = entry[1];
            var values = new NameValueEntry[fields.IsNull ? 0 : fields.Length / 2];
            for (var f = 0; f < values.Length; f++)
            {
                values[f] = new NameValueEntry((RedisValue)fields[2 * f], (RedisValue)fields[(2 * f) + 1]);
            }

            entries[i] = new StreamEntry((RedisValue)entry[0], values);
        }

        return entries;
    }
}
