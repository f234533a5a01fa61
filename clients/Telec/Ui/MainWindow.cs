using System.Collections.ObjectModel;
using System.Globalization;
using TeleClaude.Client;
using TeleClaude.Contracts;
using Telec.Attach;
using Telec.Connection;
using Telec.Model;
using Telec.Settings;
using Terminal.Gui.App;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Telec.Ui;

/// <summary>
/// The one screen: a header with the view tabs and counts, the tree of the current view, the preview pane of the
/// selected session (sessions and needs-you views), and a two-line footer (keys for what is selected; connection state,
/// last update and the last action's outcome). Everything here runs on the UI thread. Keys: MainWindow.Keys.cs;
/// actions: MainWindow.Actions.cs.
/// </summary>
internal sealed partial class MainWindow : Window
{
    private readonly IApplication _app;
    private readonly DashboardModel _model;
    private readonly HubConnector _connector;
    private readonly TeleClaudeRestClient _rest;
    private readonly string _socketPath;
    private readonly TelecSettings _settings;
    private readonly string _settingsPath;
    private readonly ViewState _state;
    private readonly Label _header;
    private readonly ListView _list;
    private readonly PreviewPane _preview;
    private readonly Label _message;
    private readonly Label _keys;
    private readonly Label _status;
    private readonly Label _filterLabel;
    private readonly TextField _filterField;
    private readonly Dictionary<string, string> _watchProblems = new(StringComparer.Ordinal);
    private readonly HashSet<string> _offline = new(StringComparer.Ordinal);
    private readonly Transcript _transcript;
    private IReadOnlyList<TreeRow> _rows = [];
    private ConnectionStatus _connection;
    private TelecFocus _focus = TelecFocus.Tree;
    private string? _previewSession;
    private DateTimeOffset _lastRender;
    private bool _hadHighlights;
    private bool _rendering;

    public MainWindow(
        IApplication app,
        DashboardModel model,
        HubConnector connector,
        TeleClaudeRestClient rest,
        string socketPath,
        TelecSettings settings,
        string settingsPath,
        ViewState state)
    {
        _app = app;
        _model = model;
        _connector = connector;
        _rest = rest;
        _socketPath = socketPath;
        _settings = settings;
        _settingsPath = settingsPath;
        _state = state;
        _connection = connector.Status;
        _transcript = new Transcript(rest, action => _app.Invoke(action), Render);
        Title = "telec · TeleClaude";
        _header = new Label { X = 0, Y = 0, Width = Dim.Fill(), Height = 1, Text = "" };
        _list = new ListView { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Fill(2), KeystrokeNavigator = null };
        _preview = new PreviewPane { X = 0, Y = Pos.Bottom(_list), Width = Dim.Fill(), Height = Dim.Fill(2), Visible = false };
        _message = new Label { X = 1, Y = 2, Width = Dim.Fill(1), Height = 5, Text = "", Visible = false };
        _keys = new Label { X = 0, Y = Pos.AnchorEnd(2), Width = Dim.Fill(), Height = 1, Text = "" };
        _filterLabel = new Label { X = 0, Y = Pos.AnchorEnd(2), Width = 8, Height = 1, Text = "filter /", Visible = false };
        _filterField = new TextField { X = 9, Y = Pos.AnchorEnd(2), Width = Dim.Fill(1), Height = 1, Text = "", Visible = false };
        _status = new Label { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Height = 1, Text = "" };
        Add(_header, _list, _preview, _message, _keys, _filterLabel, _filterField, _status);
        _list.SetSource(new ObservableCollection<string>());
        _list.ValueChanged += (_, _) =>
        {
            if (!_rendering)
            {
                _state.SelectedKey = SelectedRow?.Key;
                UpdatePreview();
                _keys.Text = KeysLine();
            }
        };
        _filterField.ValueChanged += (_, _) =>
        {
            if (_filterField.Visible)
            {
                _state.Filter = new TreeFilter(_filterField.Text ?? "");
                Render();
            }
        };

        _app.Keyboard.KeyDown += OnKeyDown;

        // Ages and change markers move with the clock, not with the network: a local tick redraws them,
        // every second while markers fade (and once after), else every 5 s.
        _app.AddTimeout(TimeSpan.FromSeconds(1), () =>
        {
            var highlights = _model.HasHighlights;
            if (highlights || _hadHighlights || DateTimeOffset.UtcNow - _lastRender >= TimeSpan.FromSeconds(5))
            {
                Render();
            }

            _hadHighlights = highlights;
            return true;
        });
        Render();
        _list.SetFocus();
    }

    /// <summary>Set when the user asked to attach in the foreground: the UI loop stops, runs it, and starts again.</summary>
    public (AttachPlan Plan, string Name)? PendingAttach { get; private set; }

    public void SetStatus(ConnectionStatus status)
    {
        _connection = status;
        Render();
    }

    /// <summary>A batch of pushes was applied: redraw now rather than at the next UI iteration.</summary>
    public void OnModelChanged()
    {
        Render();
        if (_settings.Notify != NotifyModes.Off)
        {
            Notifier.Notify(_settings.Notify, _model.TakeStartedWaiting());
        }
        else
        {
            _model.TakeStartedWaiting();
        }

        _transcript.OnSessionChanged(_model.FindSession(_previewSession ?? ""));
        RewatchWhenBackOnline();
        _app.LayoutAndDraw();
    }

    /// <summary>
    /// A watch the daemon refused because the session's computer was offline is asked for again once that computer is
    /// back (a push says so); other refusals (a daemon that cannot watch remote sessions) are not retried.
    /// </summary>
    private void RewatchWhenBackOnline()
    {
        var offlineNow = _model.Computers.Where(c => c.Status == ComputerStatus.Offline).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var back = _offline.Where(name => !offlineNow.Contains(name)).ToList();
        _offline.Clear();
        _offline.UnionWith(offlineNow);
        if (_previewSession is { } id && _model.FindSession(id) is { } session && back.Contains(session.Computer) && _watchProblems.Remove(id))
        {
            _ = _connector.RewatchAsync();
            UpdatePreview();
        }
    }

    public void OnWatchFailed(string sessionId, string problem)
    {
        _watchProblems[sessionId] = problem;
        if (sessionId == _previewSession)
        {
            UpdatePreview();
        }
    }

    /// <summary>Rebuilds the rows of the current view from the model and redraws.</summary>
    public void Render()
    {
        var width = Math.Max(40, _list.Viewport.Width > 0 ? _list.Viewport.Width : 200);
        var now = DateTimeOffset.UtcNow;
        _lastRender = now;
        _rows = _state.View switch
        {
            TelecView.Sessions => Rows.Sessions(_model, _state.Collapsed, now, width, _state.Filter),
            TelecView.Preparation => Rows.Preparation(_model, _state.Collapsed, width, _state.Filter),
            _ => Rows.NeedsYou(_model, now, width, _state.Filter),
        };

        _rendering = true;
        try
        {
            _header.Text = Header();
            _list.SetSource(new ObservableCollection<string>(_rows.Select(r => r.Text)));
            if (_rows.Count > 0)
            {
                var index = _state.SelectedKey is null ? -1 : IndexOf(_state.SelectedKey);
                _list.SelectedItem = index >= 0 ? index : 0;
                _state.SelectedKey = _rows[_list.SelectedItem ?? 0].Key;
            }
        }
        finally
        {
            _rendering = false;
        }

        var hasPreview = _state.View != TelecView.Preparation;
        if (_preview.Visible != hasPreview)
        {
            _preview.Visible = hasPreview;
            _list.Height = hasPreview ? Dim.Percent(45) : Dim.Fill(2);
            if (!hasPreview && _focus == TelecFocus.Preview)
            {
                FocusTree();
            }
        }

        var waiting = _state.View == TelecView.Preparation ? !_model.HasPreparationState : !_model.HasSessionsState;
        _message.Visible = _connection.Problem is not null && (waiting || _connection.State == ConnectionState.Disconnected);
        _message.Text = _connection.Problem ?? "";
        UpdatePreview();
        _keys.Text = KeysLine();
        _status.Text = StatusLine();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _app.Keyboard.KeyDown -= OnKeyDown;
        }

        base.Dispose(disposing);
    }

    private TreeRow? SelectedRow =>
        _list.SelectedItem is int i && i >= 0 && i < _rows.Count ? _rows[i] : null;

    private SessionInfo? SelectedSession =>
        SelectedRow is { SessionId: { } id } ? _model.FindSession(id) : null;

    private int IndexOf(string key)
    {
        for (var i = 0; i < _rows.Count; i++)
        {
            if (_rows[i].Key == key)
            {
                return i;
            }
        }

        return -1;
    }

    private string Header()
    {
        var waiting = _model.Waiting.Count;
        var tabs = string.Join("  ", new[]
        {
            Tab(TelecView.Sessions, "1 Sessions"),
            Tab(TelecView.Preparation, "2 Preparation"),
            Tab(TelecView.NeedsYou, waiting > 0 ? $"3 Needs you ({waiting})" : "3 Needs you"),
        });
        var computers = Rows.Count(_model.Computers.Count, "computer");
        var summary = _state.View == TelecView.Preparation
            ? $"{computers} · {Rows.Count(_model.Projects.Count, "project")} · {Rows.Count(_model.Projects.Sum(p => _model.TodosOf(p).Count), "todo")}"
            : $"{computers} · {Rows.Count(_model.Sessions.Count, "session")}";
        var needYou = waiting > 0 ? $" · {waiting} need{(waiting == 1 ? "s" : "")} you" : "";
        var filter = _state.Filter.IsActive ? $"   filter: {_state.Filter.Query} (Esc clears)" : "";
        return $"{tabs}   {summary}{needYou}{filter}";

        string Tab(TelecView view, string label) => _state.View == view ? $"[{label}]" : $" {label} ";
    }

    private string KeysLine()
    {
        if (_focus == TelecFocus.Preview)
        {
            return "preview: ↑↓ PgUp PgDn scroll  Home top  End follow  t screen/transcript  Tab/Esc back to the tree";
        }

        if (_state.View == TelecView.Preparation)
        {
            return "1/2/3 view  ↑↓ move  Enter expand  n new session  a add project  x remove project  / find  r refresh  ? help  q quit";
        }

        if (SelectedSession is { Status: SessionStatus.Waiting } waiting)
        {
            return $"{AnswerKeys.Hint(waiting.Waiting)}  m reply  Enter open  Tab preview  ? help";
        }

        return "1/2/3 view  Tab preview  Enter open/expand  m message  n new  k end  w waiting  / find  a add project  r refresh  ? help  q quit";
    }

    private string StatusLine()
    {
        var updated = _model.LastUpdate is { } at
            ? "last update " + at.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)
            : "no data yet";
        // The outcome of the last action right after the connection state: a narrow terminal cuts the socket first.
        var notice = _state.Notice is null ? "" : "  │ " + _state.Notice;
        return $"● {_connection.Label}{notice}  │ {updated}  │ {_socketPath}";
    }

    /// <summary>Shows the selected session in the preview, watching it (and no other) on the hub.</summary>
    private void UpdatePreview()
    {
        var session = _preview.Visible ? SelectedSession : null;
        if (session?.SessionId != _previewSession)
        {
            if (_previewSession is { } previous)
            {
                _model.ForgetOutput(previous);
            }

            _previewSession = session?.SessionId;
            _preview.Follow();
            _ = _connector.WatchAsync(_previewSession);
            _transcript.Select(_state.ShowTranscript ? session : null);
        }

        if (!_preview.Visible)
        {
            return;
        }

        if (session is null)
        {
            _preview.Title = "Preview";
            _preview.SetLines(["", "  Select a session to see its screen here.", "  Tab moves the keyboard between the tree and this pane."]);
            return;
        }

        var name = session.Title ?? session.SessionId;
        // A screen of a computer that went offline stops changing: say so beside the time it was captured.
        var offline = _model.Computers.Any(c => c.Name == session.Computer && c.Status == ComputerStatus.Offline) ? $" · {session.Computer} is offline" : "";
        var notes = new List<string>();
        var lines = new List<string>();
        if (session.Status == SessionStatus.Waiting)
        {
            // The question without its choices: the keys line below the pane lists them with the keys that give them.
            notes.Add(session.Waiting is { } waiting ? $"! {name} waits for you: asks: {Rows.OneLine(waiting.Text, 300)}" : $"! {name} waits for you");
            notes.Add("");
        }

        if (_state.ShowTranscript && session.HasTranscript)
        {
            _preview.Title = $"Transcript · {name} (t: screen)";
            if (_transcript.Problem is { } problem)
            {
                notes.Add($"(transcript: {problem})");
            }

            lines.AddRange(_transcript.Lines(session.SessionId));
        }
        else if (_model.OutputOf(session.SessionId) is { } output)
        {
            _preview.Title = $"Screen · {name} · {output.CapturedAt.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)}{offline}" + (session.HasTranscript ? " (t: transcript)" : "");
            lines.AddRange(PreviewPane.ScreenLines(output.Screen));
        }
        else
        {
            var problem = _watchProblems.GetValueOrDefault(session.SessionId);
            _preview.Title = $"Last output · {name}{offline}" + (session.HasTranscript ? " (t: transcript)" : "");
            notes.Add(problem is null
                ? "(waiting for the live screen; meanwhile the last output the daemon reported)"
                : $"(no live screen: {problem} Below: the last output the daemon reported.)");
            lines.AddRange(PreviewPane.ScreenLines(session.LastOutput ?? ""));
        }

        _preview.SetContent(notes, lines);
    }
}
