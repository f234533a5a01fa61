using System.Collections.ObjectModel;
using System.Globalization;
using TeleClaude.Client;
using TeleClaude.Contracts;
using Telec.Connection;
using Telec.Model;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Telec.Ui;

/// <summary>
/// The one screen: a header with the view tabs, the tree of the current view, and a two-line footer
/// (keys; connection state and last update). Everything here runs on the UI thread.
/// </summary>
internal sealed class MainWindow : Window
{
    private readonly IApplication _app;
    private readonly DashboardModel _model;
    private readonly HubConnector _connector;
    private readonly TeleClaudeRestClient _rest;
    private readonly string _socketPath;
    private readonly Label _header;
    private readonly ListView _list;
    private readonly Label _message;
    private readonly Label _keys;
    private readonly Label _status;
    private readonly HashSet<string> _collapsed = new(StringComparer.Ordinal);
    private IReadOnlyList<TreeRow> _rows = [];
    private ConnectionStatus _connection = new(ConnectionState.Connecting);
    private string _view = Views.Sessions;
    private string? _notice;
    private DateTimeOffset _lastRender;
    private bool _hadHighlights;

    public MainWindow(IApplication app, DashboardModel model, HubConnector connector, TeleClaudeRestClient rest, string socketPath)
    {
        _app = app;
        _model = model;
        _connector = connector;
        _rest = rest;
        _socketPath = socketPath;
        Title = "telec · TeleClaude";
        _header = new Label { X = 0, Y = 0, Width = Dim.Fill(), Height = 1, Text = "" };
        _list = new ListView { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Fill(2), KeystrokeNavigator = null };
        _message = new Label { X = 1, Y = 2, Width = Dim.Fill(1), Height = 5, Text = "", Visible = false };
        _keys = new Label
        {
            X = 0,
            Y = Pos.AnchorEnd(2),
            Width = Dim.Fill(),
            Height = 1,
            Text = "Tab/1/2 view  ↑↓ move  Enter expand  r refresh  n new session  k end session  ? help  q quit",
        };
        _status = new Label { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Height = 1, Text = "" };
        Add(_header, _list, _message, _keys, _status);
        _list.SetSource(new ObservableCollection<string>());

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
    }

    public void SetStatus(ConnectionStatus status)
    {
        _connection = status;
        Render();
    }

    /// <summary>Rebuilds the rows of the current view from the model and redraws.</summary>
    public void Render()
    {
        var width = Math.Max(40, _list.Viewport.Width > 0 ? _list.Viewport.Width : 200);
        var now = DateTimeOffset.UtcNow;
        _lastRender = now;
        var selectedKey = SelectedRow?.Key;
        _rows = _view == Views.Sessions
            ? Rows.Sessions(_model, _collapsed, now, width)
            : Rows.Preparation(_model, _collapsed, width);

        _header.Text = Header();
        _list.SetSource(new ObservableCollection<string>(_rows.Select(r => r.Text)));
        if (_rows.Count > 0)
        {
            var index = selectedKey is null ? -1 : IndexOf(selectedKey);
            _list.SelectedItem = index >= 0 ? index : 0;
        }

        var waiting = _view == Views.Sessions ? !_model.HasSessionsState : !_model.HasPreparationState;
        _message.Visible = _connection.Problem is not null && (waiting || _connection.State == ConnectionState.Disconnected);
        _message.Text = _connection.Problem ?? "";
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
        var tabs = _view == Views.Sessions ? "[1 Sessions]  2 Preparation " : " 1 Sessions  [2 Preparation]";
        var computers = Rows.Count(_model.Computers.Count, "computer");
        var summary = _view == Views.Sessions
            ? $"{computers} · {Rows.Count(_model.Sessions.Count, "session")}"
            : $"{computers} · {Rows.Count(_model.Projects.Count, "project")} · {Rows.Count(_model.Projects.Sum(p => _model.TodosOf(p).Count), "todo")}";
        return $"{tabs}   {summary}";
    }

    private string StatusLine()
    {
        var updated = _model.LastUpdate is { } at
            ? "last update " + at.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)
            : "no data yet";
        var notice = _notice is null ? "" : "  │ " + _notice;
        return $"● {_connection.Label}  │ {updated}  │ {_socketPath}{notice}";
    }

    private void OnKeyDown(object? sender, Key key)
    {
        // Dialogs and message boxes get their keys untouched.
        if (!ReferenceEquals(_app.TopRunnable, this) || key.IsCtrl || key.IsAlt)
        {
            return;
        }

        if (key == Key.Tab || key == Key.Tab.WithShift)
        {
            SwitchTo(_view == Views.Sessions ? Views.Preparation : Views.Sessions);
        }
        else if (key == Key.Enter)
        {
            Toggle(expand: null);
        }
        else if (key == Key.CursorLeft)
        {
            Toggle(expand: false);
        }
        else if (key == Key.CursorRight)
        {
            Toggle(expand: true);
        }
        else if (key == Key.Esc)
        {
            // Esc would end the top runnable (the app); quitting is q.
        }
        else if (key.TryGetPrintableRune(out var rune) && rune.IsAscii)
        {
            switch ((char)rune.Value)
            {
                case '1':
                    SwitchTo(Views.Sessions);
                    break;
                case '2':
                    SwitchTo(Views.Preparation);
                    break;
                case 'r':
                    Refresh();
                    break;
                case 'n':
                    NewSession();
                    break;
                case 'k':
                    EndSession();
                    break;
                case '?':
                    Dialogs.ShowHelp(_app);
                    break;
                case 'q':
                    _app.RequestStop(this);
                    break;
                default:
                    return;
            }
        }
        else
        {
            return;
        }

        key.Handled = true;
    }

    private void SwitchTo(string view)
    {
        if (_view != view)
        {
            _view = view;
            _list.SelectedItem = null;
            Render();
        }
    }

    private void Toggle(bool? expand)
    {
        if (SelectedRow is not { Expandable: true } row)
        {
            return;
        }

        var open = !_collapsed.Contains(row.Key);
        if ((expand ?? !open) == open)
        {
            return;
        }

        if (open)
        {
            _collapsed.Add(row.Key);
        }
        else
        {
            _collapsed.Remove(row.Key);
        }

        Render();
    }

    private void Refresh()
    {
        var view = _view;
        Notice($"refreshing {view}…");
        RunInBackground(() => _connector.RefreshAsync(view), $"refreshed {view}");
    }

    private void NewSession()
    {
        if (SelectedRow is not { ProjectPath: { } path } row)
        {
            Notice("select a project (or one of its sessions) to start a session there");
            return;
        }

        var project = _model.FindProject(row.Computer, path);
        if (Dialogs.AskNewSession(_app, project?.Name ?? path) is not { } answer)
        {
            return;
        }

        var request = new CreateSessionRequest(path, answer.Title, answer.Agent, row.Computer);
        RunInBackground(() => _rest.CreateSessionAsync(request), $"created \"{answer.Title}\"");
    }

    private void EndSession()
    {
        if (SelectedRow is not { SessionId: { } id } || _model.FindSession(id) is not { } session)
        {
            Notice("select a session to end");
            return;
        }

        if (Dialogs.Confirm(_app, "End session", $"End \"{session.Title}\" ({session.Agent}) on {session.Computer}?", "End"))
        {
            RunInBackground(() => _rest.EndSessionAsync(id), $"ended \"{session.Title}\"");
        }
    }

    /// <summary>Runs a network call on the thread pool; its outcome comes back through Application.Invoke.</summary>
    private void RunInBackground(Func<Task> call, string done) =>
        _ = Task.Run(async () =>
        {
            string outcome;
            try
            {
                await call();
                outcome = done;
            }
            catch (TeleClaudeApiException ex)
            {
                outcome = "failed: " + ex.Detail;
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TaskCanceledException or Microsoft.AspNetCore.SignalR.HubException)
            {
                outcome = "failed: " + ex.Message;
            }

            _app.Invoke(() => Notice(outcome));
        });

    private void Notice(string text)
    {
        _notice = text;
        _status.Text = StatusLine();
    }
}
