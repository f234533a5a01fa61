using Telec.Model;
using Terminal.Gui.Input;

namespace Telec.Ui;

internal sealed partial class MainWindow
{
    private void OnKeyDown(object? sender, Key key)
    {
        // Dialogs and message boxes get their keys untouched.
        if (!ReferenceEquals(_app.TopRunnable, this) || key.IsCtrl || key.IsAlt)
        {
            return;
        }

        if (_filterField.HasFocus)
        {
            // Typing goes to the filter field, which filters as it changes; Enter keeps the filter, Esc drops it.
            if (key == Key.Enter)
            {
                EndFilterEditing(keep: true);
                key.Handled = true;
            }
            else if (key == Key.Esc)
            {
                EndFilterEditing(keep: false);
                key.Handled = true;
            }

            return;
        }

        var input = ToInput(key);
        if (input is null)
        {
            return;
        }

        var selected = SelectedRow;
        var context = new KeyContext(_state.View, _focus, selected?.Kind, SelectedSession?.Waiting, _state.Filter.IsActive);
        var command = KeyMap.Resolve(context, input.Value);
        if (command == TelecCommand.None)
        {
            // Esc would end the top runnable (the app); quitting is q.
            key.Handled = key == Key.Esc;
            return;
        }

        Execute(command, input.Value);
        key.Handled = true;
    }

    private static KeyInput? ToInput(Key key)
    {
        SpecialKey special =
            key == Key.Tab ? SpecialKey.Tab
            : key == Key.Tab.WithShift ? SpecialKey.ShiftTab
            : key == Key.Enter ? SpecialKey.Enter
            : key == Key.Esc ? SpecialKey.Escape
            : key == Key.CursorLeft ? SpecialKey.Left
            : key == Key.CursorRight ? SpecialKey.Right
            : key == Key.CursorUp ? SpecialKey.Up
            : key == Key.CursorDown ? SpecialKey.Down
            : key == Key.PageUp ? SpecialKey.PageUp
            : key == Key.PageDown ? SpecialKey.PageDown
            : key == Key.Home ? SpecialKey.Home
            : key == Key.End ? SpecialKey.End
            : SpecialKey.None;
        if (special != SpecialKey.None)
        {
            return KeyInput.Of(special);
        }

        return key.TryGetPrintableRune(out var rune) && rune.IsAscii ? KeyInput.Of((char)rune.Value) : null;
    }

    private void Execute(TelecCommand command, KeyInput input)
    {
        switch (command)
        {
            case TelecCommand.ShowSessions: SwitchTo(TelecView.Sessions); break;
            case TelecCommand.ShowPreparation: SwitchTo(TelecView.Preparation); break;
            case TelecCommand.ShowNeedsYou: SwitchTo(TelecView.NeedsYou); break;
            case TelecCommand.FocusPreview: FocusPreview(); break;
            case TelecCommand.FocusTree: FocusTree(); break;
            case TelecCommand.Activate: Activate(); break;
            case TelecCommand.Collapse: Toggle(expand: false); break;
            case TelecCommand.Expand: Toggle(expand: true); break;
            case TelecCommand.ScrollUp: _preview.ScrollBy(-1); break;
            case TelecCommand.ScrollDown: _preview.ScrollBy(1); break;
            case TelecCommand.ScrollPageUp: _preview.ScrollPages(-1); break;
            case TelecCommand.ScrollPageDown: _preview.ScrollPages(1); break;
            case TelecCommand.ScrollTop: _preview.ScrollToTop(); break;
            case TelecCommand.ScrollBottom: _preview.Follow(); break;
            case TelecCommand.Refresh: Refresh(); break;
            case TelecCommand.NewSession: NewSession(); break;
            case TelecCommand.EndSession: EndSession(); break;
            case TelecCommand.Message: Message(); break;
            case TelecCommand.Answer: Answer(input.Char); break;
            case TelecCommand.JumpToWaiting: JumpToWaiting(); break;
            case TelecCommand.Find: StartFilterEditing(); break;
            case TelecCommand.ClearFilter: EndFilterEditing(keep: false); break;
            case TelecCommand.AddProject: AddProject(); break;
            case TelecCommand.RemoveProject: RemoveProject(); break;
            case TelecCommand.ToggleTranscript: ToggleTranscript(); break;
            case TelecCommand.Help: Dialogs.ShowHelp(_app); break;
            case TelecCommand.Quit: _app.RequestStop(this); break;
        }
    }

    private void SwitchTo(TelecView view)
    {
        if (_state.View != view)
        {
            _state.View = view;
            _state.SelectedKey = null;
            Render();
        }
    }

    private void FocusPreview()
    {
        _focus = TelecFocus.Preview;
        _preview.SetFocus();
        _keys.Text = KeysLine();
    }

    private void FocusTree()
    {
        _focus = TelecFocus.Tree;
        _list.SetFocus();
        _keys.Text = KeysLine();
    }

    private void StartFilterEditing()
    {
        _keys.Visible = false;
        _filterLabel.Visible = true;
        _filterField.Visible = true;
        _filterField.Text = _state.Filter.Query;
        _filterField.SetFocus();
    }

    private void EndFilterEditing(bool keep)
    {
        if (!keep)
        {
            _state.Filter = TreeFilter.None;
        }

        _filterField.Visible = false;
        _filterLabel.Visible = false;
        _keys.Visible = true;
        FocusTree();
        Render();
    }

    private void Toggle(bool? expand)
    {
        if (SelectedRow is not { Expandable: true } row)
        {
            return;
        }

        var open = !_state.Collapsed.Contains(row.Key);
        if ((expand ?? !open) == open)
        {
            return;
        }

        if (open)
        {
            _state.Collapsed.Add(row.Key);
        }
        else
        {
            _state.Collapsed.Remove(row.Key);
        }

        Render();
    }
}
