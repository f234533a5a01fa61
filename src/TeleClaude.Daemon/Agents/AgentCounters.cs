namespace TeleClaude.Daemon.Agents;

/// <summary>Counters of agent hooks, transcripts and output watching, shown by <c>GET /diagnostics/hub</c>.</summary>
internal sealed class AgentCounters
{
    private long _hookEvents;
    private long _hookUnknownSession;
    private long _hookBadSecret;
    private long _hookMalformed;
    private long _hookOversized;
    private long _controlStarts;
    private long _controlFailures;
    private long _outputNotifications;
    private long _captures;
    private long _captureMicroseconds;
    private long _outputPushes;
    private long _watchers;
    private long _transcriptLinesSkipped;
    private long _transcriptMissing;
    private long _answers;
    private long _answersNotTaken;
    private long _inputsResubmitted;
    private long _inputsConfirmed;

    public void HookAccepted() => Interlocked.Increment(ref _hookEvents);

    public void HookUnknownSession() => Interlocked.Increment(ref _hookUnknownSession);

    public void HookBadSecret() => Interlocked.Increment(ref _hookBadSecret);

    public void HookMalformed() => Interlocked.Increment(ref _hookMalformed);

    public void HookOversized() => Interlocked.Increment(ref _hookOversized);

    public void ControlClientStarted() => Interlocked.Increment(ref _controlStarts);

    public void ControlClientFailed() => Interlocked.Increment(ref _controlFailures);

    public void OutputNotified() => Interlocked.Increment(ref _outputNotifications);

    public void Captured(TimeSpan took)
    {
        Interlocked.Increment(ref _captures);
        Interlocked.Add(ref _captureMicroseconds, (long)took.TotalMicroseconds);
    }

    public void OutputPushed() => Interlocked.Increment(ref _outputPushes);

    public void WatchersChanged(int watchers) => Interlocked.Exchange(ref _watchers, watchers);

    public void TranscriptLinesSkipped(int lines) => Interlocked.Add(ref _transcriptLinesSkipped, lines);

    public void TranscriptMissing() => Interlocked.Increment(ref _transcriptMissing);

    public void Answered() => Interlocked.Increment(ref _answers);

    public void AnswerNotTaken() => Interlocked.Increment(ref _answersNotTaken);

    public void InputResubmitted() => Interlocked.Increment(ref _inputsResubmitted);

    public void InputConfirmed() => Interlocked.Increment(ref _inputsConfirmed);

    public IEnumerable<KeyValuePair<string, long>> All =>
    [
        new("hook_events", Interlocked.Read(ref _hookEvents)),
        new("hook_rejected_unknown_session", Interlocked.Read(ref _hookUnknownSession)),
        new("hook_rejected_secret", Interlocked.Read(ref _hookBadSecret)),
        new("hook_rejected_malformed", Interlocked.Read(ref _hookMalformed)),
        new("hook_rejected_oversized", Interlocked.Read(ref _hookOversized)),
        new("tmux_control_starts", Interlocked.Read(ref _controlStarts)),
        new("tmux_control_failures", Interlocked.Read(ref _controlFailures)),
        new("tmux_output_notifications", Interlocked.Read(ref _outputNotifications)),
        new("pane_captures", Interlocked.Read(ref _captures)),
        new("pane_capture_microseconds", Interlocked.Read(ref _captureMicroseconds)),
        new("output_pushes", Interlocked.Read(ref _outputPushes)),
        new("output_watchers", Interlocked.Read(ref _watchers)),
        new("transcript_lines_skipped", Interlocked.Read(ref _transcriptLinesSkipped)),
        new("transcript_missing", Interlocked.Read(ref _transcriptMissing)),
        new("answers_sent", Interlocked.Read(ref _answers)),
        new("answers_not_taken", Interlocked.Read(ref _answersNotTaken)),
        new("inputs_resubmitted", Interlocked.Read(ref _inputsResubmitted)),
        new("inputs_confirmed", Interlocked.Read(ref _inputsConfirmed)),
    ];
}
