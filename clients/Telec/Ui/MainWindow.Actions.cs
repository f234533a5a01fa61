using Microsoft.AspNetCore.SignalR;
using TeleClaude.Client;
using TeleClaude.Contracts;
using Telec.Attach;
using Telec.Model;

namespace Telec.Ui;

internal sealed partial class MainWindow
{
    private void Activate()
    {
        if (SelectedRow is { Kind: RowKind.Session })
        {
            AttachToSelected();
        }
        else
        {
            Toggle(expand: null);
        }
    }

    private void AttachToSelected()
    {
        if (SelectedSession is not { } session)
        {
            Notice("that session has ended; there is no terminal to open");
            return;
        }

        var computer = _model.Computers.FirstOrDefault(c => c.Name == session.Computer);
        var (plan, problem) = AttachPlan.For(session, computer, _settings, Attacher.InsideTmux, _settingsPath);
        if (plan is null)
        {
            Notice(problem!);
            return;
        }

        var name = session.Title ?? session.SessionId;
        Notice($"opening \"{name}\"…");
        _ = Task.Run(async () =>
        {
            string? failure;
            try
            {
                failure = await Attacher.CheckAsync(plan, name, CancellationToken.None);
                if (failure is null && plan.Mode != AttachMode.Foreground)
                {
                    failure = await Attacher.OpenInTmuxAsync(plan, "tc:" + Rows.OneLine(name, 20), CancellationToken.None);
                    _app.Invoke(() => Notice(failure ?? $"opened \"{name}\" in a tmux {(plan.Mode == AttachMode.TmuxSplit ? "split" : "window")}"));
                    return;
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException or System.ComponentModel.Win32Exception)
            {
                failure = "attach failed: " + ex.Message;
            }

            _app.Invoke(() =>
            {
                if (failure is not null)
                {
                    Notice(failure);
                    return;
                }

                // Outside tmux the attach needs the terminal itself: stop the UI loop; TelecApp runs it and starts again.
                PendingAttach = (plan, name);
                _app.RequestStop(this);
            });
        });
    }

    private void Refresh()
    {
        var view = _state.View == TelecView.Preparation ? Views.Preparation : Views.Sessions;
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
        if (Dialogs.AskNewSession(_app, project?.Name ?? Rows.ProjectLabel(path)) is not { } answer)
        {
            return;
        }

        var request = new CreateSessionRequest(path, answer.Title, answer.Agent, row.Computer, answer.Message);
        RunInBackground(() => _rest.CreateSessionAsync(request), $"created \"{answer.Title}\"");
    }

    private void EndSession()
    {
        if (SelectedSession is not { } session)
        {
            Notice("select a session to end");
            return;
        }

        var name = session.Title ?? session.SessionId;
        if (Dialogs.Confirm(_app, "End session", $"End \"{name}\" ({session.Agent ?? Rows.Unknown}) on {session.Computer}?", "End"))
        {
            RunInBackground(() => _rest.EndSessionAsync(session.SessionId), $"ended \"{name}\"");
        }
    }

    private void Message()
    {
        if (SelectedSession is not { } session)
        {
            Notice("select a session to send it a message");
            return;
        }

        var name = session.Title ?? session.SessionId;
        if (Dialogs.AskMessage(_app, name, session.Computer) is not { } text)
        {
            return;
        }

        RunInBackground(() => _rest.SendInputAsync(session.SessionId, text), $"sent to \"{name}\"");
    }

    private void Answer(char pressed)
    {
        if (SelectedSession is not { Status: SessionStatus.Waiting } session
            || AnswerKeys.Resolve(session.Waiting, pressed) is not { } choice)
        {
            Notice("that key answers nothing here");
            return;
        }

        var label = session.Waiting!.Choices.First(c => c.Key == choice).Label;
        var name = session.Title ?? session.SessionId;
        RunInBackground(() => _rest.AnswerAsync(session.SessionId, choice), $"answered \"{Rows.OneLine(label, 30)}\" to \"{name}\"");
    }

    private void JumpToWaiting()
    {
        if (_model.Waiting is not [var longest, ..])
        {
            Notice("no session needs you");
            return;
        }

        if (_state.View == TelecView.Preparation)
        {
            _state.View = TelecView.Sessions;
        }

        if (_state.Filter.IsActive && !_state.Filter.Matches(longest.Computer, longest.Title, longest.Agent, longest.ProjectPath))
        {
            _state.Filter = TreeFilter.None;
        }

        _state.Collapsed.Remove(RowKeys.Computer(longest.Computer));
        _state.Collapsed.Remove(RowKeys.Project(longest.Computer, longest.ProjectPath ?? ""));
        _state.SelectedKey = RowKeys.Session(longest.SessionId);
        FocusTree();
        Render();
    }

    private void AddProject()
    {
        var local = _model.Computers.FirstOrDefault(c => c.IsLocal)?.Name ?? "this computer";
        if (Dialogs.AskProject(_app, local, Environment.CurrentDirectory) is not { } answer)
        {
            return;
        }

        RunInBackground(
            () => _rest.AddProjectAsync(new AddProjectRequest(answer.Path, answer.Name, answer.Description)),
            $"added project {answer.Path} on {local}");
    }

    private void RemoveProject()
    {
        if (SelectedRow is not { Kind: RowKind.Project, ProjectPath: { } path } row)
        {
            Notice("select a project to remove it from the list");
            return;
        }

        var project = _model.FindProject(row.Computer, path);
        if (project is null || project.Source != ProjectSource.Added)
        {
            Notice($"{path} is configured in the daemon's settings (TeleClaude:Projects); remove it there. Only projects added with a can be removed here.");
            return;
        }

        if (!(_model.Computers.FirstOrDefault(c => c.Name == row.Computer)?.IsLocal ?? false))
        {
            Notice($"{path} is a project of {row.Computer}: remove it with telec on that computer.");
            return;
        }

        if (Dialogs.Confirm(_app, "Remove project", $"Remove {project.Name} ({path}) from the projects of {row.Computer}?\nIts files and sessions are not touched.", "Remove"))
        {
            RunInBackground(() => _rest.RemoveProjectAsync(path), $"removed project {path}");
        }
    }

    private void ToggleTranscript()
    {
        if (SelectedSession is not { } session)
        {
            Notice("select a session first");
            return;
        }

        if (!session.HasTranscript && !_state.ShowTranscript)
        {
            Notice($"\"{session.Title ?? session.SessionId}\" has no transcript (its agent writes none); the preview shows its screen");
            return;
        }

        _state.ShowTranscript = !_state.ShowTranscript;
        _transcript.Select(_state.ShowTranscript ? session : null);
        UpdatePreview();
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
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TaskCanceledException or HubException or IOException)
            {
                outcome = "failed: " + ex.Message;
            }

            _app.Invoke(() => Notice(outcome));
        });

    private void Notice(string text)
    {
        _state.Notice = text;
        _status.Text = StatusLine();
    }
}
