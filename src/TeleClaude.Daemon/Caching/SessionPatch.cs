using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Caching;

/// <summary>The fields of a session that a peer actually sent (besides its id and computer, which are always known).</summary>
[Flags]
internal enum SessionFields
{
    None = 0,
    Title = 1 << 0,
    ProjectPath = 1 << 1,
    Status = 1 << 2,
    Agent = 1 << 3,
    CreatedAt = 1 << 4,
    LastActivity = 1 << 5,
    LastInput = 1 << 6,
    LastOutput = 1 << 7,
    Waiting = 1 << 8,
    LastMessage = 1 << 9,
    TmuxSocket = 1 << 10,
    TmuxSession = 1 << 11,
    HasTranscript = 1 << 12,
    All = (1 << 13) - 1,
}

/// <summary>
/// A session as a peer reported it: its id and computer, and the values of the fields in <see cref="Present"/>.
/// It is merged onto what the cache knows: a field the peer did not send keeps its value (or stays unknown, null,
/// for a session seen for the first time); a field it sent, even as null, takes the sent value.
/// </summary>
/// <param name="Values">The session with the sent values; fields not in <see cref="Present"/> are ignored.</param>
/// <param name="Present">Which fields were sent.</param>
internal sealed record SessionPatch(SessionInfo Values, SessionFields Present)
{
    public string SessionId => Values.SessionId;

    public string Computer => Values.Computer;

    /// <summary>Every field sent (a complete session, as this daemon's own peers write it).</summary>
    public static SessionPatch Full(SessionInfo session) => new(session, SessionFields.All);

    /// <summary>The fields of <paramref name="session"/> that are not null: what a <see cref="SessionInfo"/> built from a partial answer tells.</summary>
    public static SessionPatch Known(SessionInfo session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var present = SessionFields.Status | SessionFields.HasTranscript;
        present |= session.Title is null ? 0 : SessionFields.Title;
        present |= session.ProjectPath is null ? 0 : SessionFields.ProjectPath;
        present |= session.Agent is null ? 0 : SessionFields.Agent;
        present |= session.CreatedAt is null ? 0 : SessionFields.CreatedAt;
        present |= session.LastActivity is null ? 0 : SessionFields.LastActivity;
        present |= session.LastInput is null ? 0 : SessionFields.LastInput;
        present |= session.LastOutput is null ? 0 : SessionFields.LastOutput;
        present |= session.Waiting is null ? 0 : SessionFields.Waiting;
        present |= session.LastMessage is null ? 0 : SessionFields.LastMessage;
        present |= session.TmuxSocket is null ? 0 : SessionFields.TmuxSocket;
        present |= session.TmuxSession is null ? 0 : SessionFields.TmuxSession;
        return new SessionPatch(session, present);
    }

    public bool Has(SessionFields field) => (Present & field) == field;

    /// <summary>The session after this patch: <paramref name="known"/> (or an unknown session) with the sent fields replaced.</summary>
    public SessionInfo ApplyTo(SessionInfo? known)
    {
        var v = Values;
        var k = known ?? new SessionInfo(v.SessionId, v.Computer, null, null, SessionStatus.Unknown, null, null, null, null, null);
        return new SessionInfo(
            v.SessionId,
            v.Computer,
            Has(SessionFields.Title) ? v.Title : k.Title,
            Has(SessionFields.ProjectPath) ? v.ProjectPath : k.ProjectPath,
            Has(SessionFields.Status) ? v.Status : k.Status,
            Has(SessionFields.Agent) ? v.Agent : k.Agent,
            Has(SessionFields.CreatedAt) ? v.CreatedAt : k.CreatedAt,
            Has(SessionFields.LastActivity) ? v.LastActivity : k.LastActivity,
            Has(SessionFields.LastInput) ? v.LastInput : k.LastInput,
            Has(SessionFields.LastOutput) ? v.LastOutput : k.LastOutput,
            Has(SessionFields.Waiting) ? v.Waiting : k.Waiting,
            Has(SessionFields.LastMessage) ? v.LastMessage : k.LastMessage,
            Has(SessionFields.TmuxSocket) ? v.TmuxSocket : k.TmuxSocket,
            Has(SessionFields.TmuxSession) ? v.TmuxSession : k.TmuxSession,
            Has(SessionFields.HasTranscript) ? v.HasTranscript : k.HasTranscript);
    }
}
