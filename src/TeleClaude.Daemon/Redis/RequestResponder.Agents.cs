using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Redis;

/// <summary>
/// The requests of issue 11 another computer sends about this computer's sessions: answer a waiting session, read a
/// page of its conversation, watch its screen (take or renew a lease) and stop watching. Only local sessions are
/// touched; the checks and the error words are the local handlers' own, relayed in the envelope (code and fields).
/// </summary>
internal sealed partial class RequestResponder
{
    private async Task<ResponseEnvelope> ExecuteAgentCommandAsync(string command, string initiator, string? argsJson, CancellationToken cancellationToken)
    {
        switch (command)
        {
            case RequestCommands.AnswerSession:
                return RedisJson.TryDeserialize<AnswerSessionArgs>(argsJson) is { SessionId.Length: > 0 } answer
                    ? Session(await agents.AnswerLocalAsync(answer.SessionId, new AnswerRequest(answer.Choice), cancellationToken))
                    : Invalid("answer_session needs args {\"session_id\", \"choice\"}.");
            case RequestCommands.GetSessionMessages:
                if (RedisJson.TryDeserialize<SessionMessagesArgs>(argsJson) is not { SessionId.Length: > 0 } read)
                {
                    return Invalid("get_session_messages needs args {\"session_id\", \"since\"?, \"limit\"?}.");
                }

                var page = await agents.GetLocalMessagesAsync(read.SessionId, read.Since, read.Limit, cancellationToken);
                return page.Error is { } pageError ? Error(pageError) : Ok(MessagePages.Bound(page.Value!, _self));
            case RequestCommands.WatchOutput:
                if (RedisJson.TryDeserialize<WatchOutputArgs>(argsJson) is not { SessionId.Length: > 0 } watch)
                {
                    return Invalid("watch_output needs args {\"session_id\", \"lease_ms\"?, \"watch_id\"?}.");
                }

                if (watch.LeaseMs is <= 0)
                {
                    return Invalid($"lease_ms must be a positive number of milliseconds (got {watch.LeaseMs}).", "lease_ms");
                }

                var grant = await screens.WatchAsync(initiator, watch, cancellationToken);
                return grant.Error is { } grantError ? Error(grantError) : Ok(grant.Value!);
            case RequestCommands.UnwatchOutput:
                if (RedisJson.TryDeserialize<WatchOutputArgs>(argsJson) is not { SessionId.Length: > 0 } unwatch)
                {
                    return Invalid("unwatch_output needs args {\"session_id\", \"watch_id\"?}.");
                }

                screens.Unwatch(initiator, unwatch);
                return Ok(new WatchOutputGrant(RedisKeys.Screen(_self, unwatch.SessionId).ToString(), 0, false));
            default:
                throw new System.Diagnostics.UnreachableException($"{command} is not an agent command.");
        }
    }
}

/// <summary>
/// Keeps a page of a conversation sent over Redis bounded in size: a page of up to 500 messages, each possibly
/// megabytes of text, would otherwise be one Redis entry of any size. Messages are kept in order until their text
/// reaches <see cref="MaxChars"/>; the page then ends early with <c>next_cursor</c> at its last message (reading on
/// gets the rest, as after any full page). A single message longer than the bound keeps its start and says so.
/// </summary>
internal static class MessagePages
{
    /// <summary>Characters of message text in one page sent over Redis.</summary>
    public const int MaxChars = 256 * 1024;

    public static SessionMessages Bound(SessionMessages page, string owner)
    {
        var kept = new List<SessionMessage>(page.Messages.Count);
        var total = 0L;
        foreach (var message in page.Messages)
        {
            if (kept.Count > 0 && total + message.Text.Length > MaxChars)
            {
                return page with { Messages = kept, NextCursor = kept[^1].Cursor };
            }

            var text = message.Text.Length <= MaxChars
                ? message.Text
                : string.Concat(message.Text.AsSpan(0, MaxChars), $"\n[... {message.Text.Length - MaxChars:N0} more characters, cut for the trip over Redis; the whole message is on {owner}]");
            kept.Add(text == message.Text ? message : message with { Text = text });
            total += text.Length;
        }

        return kept.Count == page.Messages.Count && kept.SequenceEqual(page.Messages) ? page : page with { Messages = kept };
    }
}
