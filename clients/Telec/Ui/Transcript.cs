using System.Globalization;
using TeleClaude.Client;
using TeleClaude.Contracts;

namespace Telec.Ui;

/// <summary>
/// The conversation of the previewed session (<c>GET /sessions/{id}/messages</c> through <paramref name="fetch"/>: session
/// id, cursor, page size), read forward from the last cursor whenever a push says the session changed; never polled. Lives
/// on the UI thread; reads run on the thread pool and report back through <paramref name="post"/>.
/// </summary>
internal sealed class Transcript(Func<string, string?, int, Task<SessionMessages>> fetch, Action<Action> post, Action changed, TimeProvider time)
{
    /// <summary>Reads through the daemon's REST client.</summary>
    public Transcript(TeleClaudeRestClient rest, Action<Action> post, Action changed)
        : this((id, since, limit) => rest.GetMessagesAsync(id, since, limit), post, changed, TimeProvider.System)
    {
    }

    private const int PageSize = 200;
    private const int MaxPagesPerRead = 20;
    private const int MaxMessages = 2000;

    /// <summary>Re-reads while the agent's reported last message is not in the transcript yet: 0.25, 0.5, 1, 2, 4 s.</summary>
    private const int MaxSettleReads = 5;
    private static readonly TimeSpan FirstSettleDelay = TimeSpan.FromMilliseconds(250);

    private readonly List<SessionMessage> _messages = [];
    private string? _sessionId;
    private string? _cursor;
    private string? _problem;
    private DateTimeOffset? _seenActivity;
    private string? _expectedLast;
    private int _settleReads;
    private bool _loading;
    private bool _again;
    private int _generation;

    /// <summary>Follows <paramref name="session"/> (null: none); a new one is read from the start.</summary>
    public void Select(SessionInfo? session)
    {
        if (session?.SessionId == _sessionId)
        {
            return;
        }

        _generation++;
        _sessionId = session?.SessionId;
        _messages.Clear();
        _cursor = null;
        _problem = null;
        _loading = false;
        _again = false;
        _seenActivity = session?.LastActivity;
        _expectedLast = null;
        Expect(session);
        if (session is { HasTranscript: true })
        {
            Read();
        }
    }

    /// <summary>A push changed the previewed session: read what was added since the last cursor.</summary>
    public void OnSessionChanged(SessionInfo? session)
    {
        if (session is null || session.SessionId != _sessionId)
        {
            return;
        }

        var expecting = Expect(session);
        if (session.LastActivity == _seenActivity && !expecting)
        {
            return;
        }

        _seenActivity = session.LastActivity;
        Read();
    }

    /// <summary>
    /// Claude Code appends its last turn to the transcript on its own schedule, sometimes after the Stop hook that made the
    /// session idle; no push follows then. So when an idle session reports a last message the transcript does not hold yet,
    /// a few more reads follow at growing intervals (at most 5, within 8 s) until it is there. True when that expectation is new.
    /// </summary>
    private bool Expect(SessionInfo? session)
    {
        var expected = session is { Status: SessionStatus.Idle, LastMessage: { Length: > 0 } last } ? last.Trim() : null;
        if (expected == _expectedLast)
        {
            return false;
        }

        _expectedLast = expected;
        _settleReads = 0;
        return expected is not null && !HasExpected();
    }

    private bool HasExpected() =>
        _expectedLast is null || _messages.TakeLast(20).Any(m => m.Role == "assistant" && m.Text.Trim() == _expectedLast);

    private void SettleLater()
    {
        if (HasExpected() || _settleReads >= MaxSettleReads || _sessionId is null)
        {
            return;
        }

        var delay = FirstSettleDelay * (1 << _settleReads);
        _settleReads++;
        var generation = _generation;
        _ = Task.Delay(delay, time).ContinueWith(_ => post(() =>
        {
            if (generation == _generation)
            {
                Read();
            }
        }), TaskScheduler.Default);
    }

    public IReadOnlyList<string> Lines(string sessionId)
    {
        if (sessionId != _sessionId)
        {
            return ["(loading the transcript…)"];
        }

        var lines = new List<string>();
        foreach (var message in _messages)
        {
            var at = message.At is { } t ? t.ToLocalTime().ToString("HH:mm", CultureInfo.InvariantCulture) + " " : "";
            var who = message.Role switch
            {
                "user" => "you",
                "assistant" => "agent",
                _ => message.Role,
            };
            var text = message.Text.ReplaceLineEndings("\n").Split('\n');
            lines.Add($"{at}{who}: {text[0]}");
            lines.AddRange(text.Skip(1).Select(l => "    " + l));
        }

        // A failed read is shown by the window as a note (Problem), above whatever was read before.
        if (_problem is null && _messages.Count == 0)
        {
            lines.Add(_loading ? "(loading the transcript…)" : "(no messages yet)");
        }

        return lines;
    }

    private void Read()
    {
        if (_sessionId is not { } id)
        {
            return;
        }

        if (_loading)
        {
            _again = true;
            return;
        }

        _loading = true;
        var generation = _generation;
        var cursor = _cursor;
        _ = Task.Run(async () =>
        {
            var read = new List<SessionMessage>();
            string? problem = null;
            try
            {
                for (var page = 0; page < MaxPagesPerRead; page++)
                {
                    var answer = await fetch(id, cursor, PageSize);
                    read.AddRange(answer.Messages);
                    if (answer.Messages.Count > 0)
                    {
                        cursor = answer.Messages[^1].Cursor;
                    }

                    if (answer.NextCursor is null)
                    {
                        break;
                    }

                    cursor = answer.NextCursor;
                }
            }
            catch (TeleClaudeApiException ex)
            {
                problem = ex.Detail;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                problem = ex.Message;
            }

            post(() =>
            {
                if (generation != _generation)
                {
                    return;
                }

                _loading = false;
                _problem = problem;
                _messages.AddRange(read);
                if (_messages.Count > MaxMessages)
                {
                    _messages.RemoveRange(0, _messages.Count - MaxMessages);
                }

                _cursor = cursor;
                if (_again)
                {
                    _again = false;
                    Read();
                }
                else if (problem is null)
                {
                    SettleLater();
                }

                changed();
            });
        });
    }

    /// <summary>Why the last read failed (the daemon's words), or null.</summary>
    public string? Problem => _problem;
}
