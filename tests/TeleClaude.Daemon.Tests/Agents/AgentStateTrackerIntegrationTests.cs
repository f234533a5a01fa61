using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Agents;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Tests.Agents;

/// <summary>
/// The status machine on its own: the daemon's real services (built, not started: no tmux, no listener) over a temp
/// SQLite file, with a <see cref="FakeTimeProvider"/> driving the idle timer. Hooks and screens are fed directly.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
internal sealed class AgentStateTrackerIntegrationTests
{
    private const string Dialog = """
        ● Creating the marker file
          ⎿  $ touch made-by-claude.txt
        ────────────────────────────
         Bash command
         touch made-by-claude.txt
         Do you want to proceed?
         ❯ 1. Yes
           2. Yes, and always allow access to /p from this project
           3. No
         Esc to cancel · Tab to amend
        """;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-26T04:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private string _directory = null!;
    private WebApplication _app = null!;
    private AgentStateTracker _tracker = null!;
    private SessionStore _store = null!;
    private ChannelReader<CacheChange> _changes = null!;

    [SetUp]
    public async Task Build()
    {
        _directory = Directory.CreateTempSubdirectory("tc-tracker-").FullName;
        _app = TeleClaudeDaemon.Build(
        [
            "--socket", Path.Combine(_directory, "d.sock"), "--db", Path.Combine(_directory, "d.db"), "--computer", "tracker",
            "--TeleClaude:Agents:claudecode:Command:0=claude", "--TeleClaude:Agents:plain:Command:0=sh",
            "--TeleClaude:Sessions:IdleAfter=00:00:05",
        ], b => b.Services.AddSingleton<TimeProvider>(_time));
        _store = _app.Services.GetRequiredService<SessionStore>();
        await _store.MigrateAsync(CancellationToken.None);
        _tracker = _app.Services.GetRequiredService<AgentStateTracker>();
        _changes = _app.Services.GetRequiredService<DaemonCache>().Changes.Subscribe();
    }

    [TearDown]
    public async Task Dispose()
    {
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Screen_WithoutHooks_OutputMakesActive_IdleAfterQuiet_OnTheTimeProvider(CancellationToken cancellationToken)
    {
        var id = await InsertAsync("plain");

        Assert.That(await _tracker.OnScreenAsync(id, "$ make\nbuilding...", cancellationToken), Is.True);
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Active));
        Assert.That(await NextAsync(cancellationToken), Is.EqualTo((SessionEventNames.SessionUpdated, SessionStatus.Active)));

        _time.Advance(TimeSpan.FromSeconds(4));
        await _tracker.OnScreenAsync(id, "$ make\nbuilding...\ndone", cancellationToken); // output again: the idle clock restarts
        await NextAsync(cancellationToken);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Active), "4.9 s after the last output");

        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.That(await NextAsync(cancellationToken), Is.EqualTo((SessionEventNames.AgentEvent, SessionStatus.Idle)));
        Assert.That((await GetAsync(id)).LastOutput, Does.EndWith("done"));
    }

    [Test]
    public async Task ClaudeHooks_DriveTheStatus_ScreenGivesChoices_AndNoticesAnAnswerInTheTerminal(CancellationToken cancellationToken)
    {
        var id = await InsertAsync("claudecode");

        await HookAsync(id, """{"hook_event_name":"SessionStart","transcript_path":"/t.jsonl"}""", cancellationToken);
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Idle));
        await HookAsync(id, """{"hook_event_name":"UserPromptSubmit","prompt":"make the file"}""", cancellationToken);
        Assert.That(await GetAsync(id), Has.Property(nameof(SessionInfo.Status)).EqualTo(SessionStatus.Active).And.Property(nameof(SessionInfo.LastInput)).EqualTo("make the file"));

        await HookAsync(id, PermissionRequest, cancellationToken);
        var waiting = await GetAsync(id);
        Assert.That(waiting.Waiting, Has.Property(nameof(WaitingInfo.Kind)).EqualTo(WaitingKinds.Permission).And.Property(nameof(WaitingInfo.Since)).EqualTo(_time.GetUtcNow()));
        Assert.That(waiting.Waiting!.Choices, Is.Empty);
        Assert.That(_tracker.WantsFastScreen(id), Is.True, "a waiting session's screen is followed closely");

        await _tracker.OnScreenAsync(id, Dialog, cancellationToken);
        Assert.That((await GetAsync(id)).Waiting!.Choices.Select(c => (c.Key, c.Meaning)), Is.EqualTo(new[] { ("1", "yes"), ("2", "always"), ("3", "no") }));

        await _tracker.OnScreenAsync(id, "● Creating the marker file\n  ⎿  (No content)", cancellationToken);
        Assert.That(await GetAsync(id), Has.Property(nameof(SessionInfo.Status)).EqualTo(SessionStatus.Active).And.Property(nameof(SessionInfo.Waiting)).Null,
            "the dialog was on screen and is gone: answered in the terminal");

        await _tracker.OnScreenAsync(id, "quiet screen, later", cancellationToken);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Active), "with hooks, quiet output does not mean idle");

        await HookAsync(id, """{"hook_event_name":"Stop","last_assistant_message":"Done."}""", cancellationToken);
        Assert.That(await GetAsync(id), Has.Property(nameof(SessionInfo.Status)).EqualTo(SessionStatus.Idle).And.Property(nameof(SessionInfo.LastMessage)).EqualTo("Done."));
        await HookAsync(id, """{"hook_event_name":"SessionEnd","reason":"clear"}""", cancellationToken);
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Idle), "/clear ends Claude's session, not the agent");
        await HookAsync(id, """{"hook_event_name":"SessionEnd","reason":"prompt_input_exit"}""", cancellationToken);
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Terminated));
    }

    [Test]
    public async Task SessionStartHook_ArrivingAfterTheStartScreenWasCaptured_MakesTheSessionIdle_NotLeftActive(CancellationToken cancellationToken)
    {
        // Seen with the real CLI on a loaded machine (RemoteClaudeIntegrationTests): Claude's start screen was captured
        // before its SessionStart hook arrived, the screen made the session active, and the hook left it so until the
        // first turn ended.
        var id = await InsertAsync("claudecode");
        await _tracker.OnScreenAsync(id, "╭───╮\n│ ✻ Welcome to Claude Code │\n╰───╯\n❯ ", cancellationToken);
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Active), "before any hook the screen heuristic rules");

        await HookAsync(id, """{"hook_event_name":"SessionStart","source":"startup","transcript_path":"/t.jsonl"}""", cancellationToken);
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Idle));

        // Once hooks drive the session, a SessionStart in the middle of a turn (auto-compact) leaves it working.
        await HookAsync(id, """{"hook_event_name":"UserPromptSubmit","prompt":"go"}""", cancellationToken);
        await HookAsync(id, """{"hook_event_name":"SessionStart","source":"compact"}""", cancellationToken);
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Active));
    }

    [Test]
    public async Task PermissionHook_ArrivingAfterItsDialogWasCaptured_TakesTheChoicesFromThatScreen(CancellationToken cancellationToken)
    {
        // Regression (seen under load): the dialog was drawn and captured before the hook's update; the dialog then stays
        // still, so no later capture comes, and the session waited without choices.
        var id = await InsertAsync("claudecode");
        await HookAsync(id, """{"hook_event_name":"UserPromptSubmit","prompt":"go"}""", cancellationToken);
        await _tracker.OnScreenAsync(id, Dialog, cancellationToken);

        await HookAsync(id, PermissionRequest, cancellationToken);

        Assert.That((await GetAsync(id)).Waiting!.Choices, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task PermissionHook_DoesNotTakeChoicesOfAnotherToolsDialog(CancellationToken cancellationToken)
    {
        var id = await InsertAsync("claudecode");
        await HookAsync(id, """{"hook_event_name":"UserPromptSubmit","prompt":"go"}""", cancellationToken);
        await _tracker.OnScreenAsync(id, Dialog, cancellationToken);

        await HookAsync(id, """{"hook_event_name":"PermissionRequest","tool_name":"Bash","tool_input":{"command":"rm -rf build"}}""", cancellationToken);

        Assert.That((await GetAsync(id)).Waiting!.Choices, Is.Empty, "the screen shows the dialog of another command");
    }

    [Test]
    public async Task StatusSetBeforeTheFirstScreen_IsKept_UntilTheAgentPrintsSomethingNew(CancellationToken cancellationToken)
    {
        // Regression (telec's `list --waiting` test): a PATCH to waiting right after the start was overruled by the
        // agent's first screen, which is not new work.
        var id = await InsertAsync("plain", SessionStatus.Waiting);

        await _tracker.OnScreenAsync(id, "stand-in agent ready", cancellationToken);
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Waiting));
        await _tracker.OnScreenAsync(id, "stand-in agent ready", cancellationToken);
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Waiting), "nothing changed on screen");

        await _tracker.OnScreenAsync(id, "stand-in agent ready\nagent got: go on", cancellationToken);
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Active));
    }

    [Test]
    public async Task AnswerNotTakenByTheAgent_TheSessionWaitsAgain_AndTheKeyWaitsForAFreshDialog(CancellationToken cancellationToken)
    {
        // Seen with Claude Code under load: the key was pressed, the dialog stayed, and the session showed "active".
        var id = await InsertAsync("claudecode");
        await HookAsync(id, """{"hook_event_name":"UserPromptSubmit","prompt":"go"}""", cancellationToken);
        await HookAsync(id, PermissionRequest, cancellationToken);
        await _tracker.OnScreenAsync(id, Dialog, cancellationToken);
        Assert.That(_tracker.KeyDelay(id), Is.EqualTo(AgentStateTracker.DialogSettle), "a dialog drawn just now does not get its key yet");
        _time.Advance(AgentStateTracker.DialogSettle);
        Assert.That(_tracker.KeyDelay(id), Is.EqualTo(TimeSpan.Zero));
        var asked = (await GetAsync(id)).Waiting!;

        var answered = await _tracker.OnAnsweredAsync(id, asked.Choices[0], cancellationToken);
        Assert.That(answered!.Status, Is.EqualTo(SessionStatus.Active));
        _time.Advance(TimeSpan.FromSeconds(1));
        await _tracker.OnScreenAsync(id, Dialog + "\n", cancellationToken);
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Active), "a second is not long enough to tell");

        _time.Advance(TimeSpan.FromSeconds(1));
        await _tracker.OnScreenAsync(id, Dialog, cancellationToken);
        var again = await GetAsync(id);
        Assert.That(again.Status, Is.EqualTo(SessionStatus.Waiting), "the same question is still there after 2 s");
        Assert.That(again.Waiting, Has.Property(nameof(WaitingInfo.Since)).EqualTo(asked.Since).And.Property(nameof(WaitingInfo.Text)).EqualTo(asked.Text));
        Assert.That(_app.Services.GetRequiredService<AgentCounters>().All.Single(c => c.Key == "answers_not_taken").Value, Is.EqualTo(1));

        await _tracker.OnAnsweredAsync(id, asked.Choices[0], cancellationToken);
        _time.Advance(TimeSpan.FromSeconds(2));
        await _tracker.OnScreenAsync(id, "● Creating the marker file\n  ⎿  (No content)", cancellationToken);
        Assert.That((await GetAsync(id)).Status, Is.EqualTo(SessionStatus.Active), "the question is gone: taken");
    }

    [Test]
    public async Task TerminalGone_EndsTheSessionOnce(CancellationToken cancellationToken)
    {
        var id = await InsertAsync("plain");

        await _tracker.OnTerminalGoneAsync(id, cancellationToken);
        await _tracker.OnTerminalGoneAsync(id, cancellationToken);

        Assert.That(await NextAsync(cancellationToken), Is.EqualTo((SessionEventNames.SessionTerminated, SessionStatus.Terminated)));
        Assert.That(_changes.TryRead(out _), Is.False, "the second notice changes nothing and publishes nothing");
        Assert.That(await _tracker.OnScreenAsync("no-such-session", "x", cancellationToken), Is.False);
    }

    private const string PermissionRequest = """
        {"hook_event_name":"PermissionRequest","tool_name":"Bash","tool_input":{"command":"touch made-by-claude.txt","description":"Create the marker file"}}
        """;

    private async Task<string> InsertAsync(string agent, SessionStatus status = SessionStatus.Starting)
    {
        var id = Guid.NewGuid().ToString("N");
        var now = _time.GetUtcNow();
        await _store.InsertAsync(new SessionInfo(id, "tracker", "t", "/p", status, agent, now, now, null, null), CancellationToken.None);
        return id;
    }

    private async Task HookAsync(string id, string json, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(json);
        await _tracker.OnHookAsync(id, AgentIntegrationKinds.Claude, HookEvent.FromClaude(document.RootElement)!, transcriptChanged: false, cancellationToken);
    }

    private async Task<SessionInfo> GetAsync(string id) => (await _store.GetAsync(id, CancellationToken.None))!;

    private async Task<(string, SessionStatus)> NextAsync(CancellationToken cancellationToken)
    {
        var change = (SessionChanged)await _changes.ReadAsync(cancellationToken);
        return (change.EventName, change.Session.Status);
    }
}
