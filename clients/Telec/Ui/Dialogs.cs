using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Telec.Ui;

/// <summary>Modal dialogs of the main window; each runs on the UI thread and returns the user's answer.</summary>
internal static class Dialogs
{
    public const string DefaultAgent = "claude";

    public const string HelpText = """
        Views         1 sessions · 2 preparation · 3 needs you (waiting sessions, oldest first)
        Tab, Shift+Tab  move the keyboard between the tree and the preview pane
        ↑ ↓ PgUp PgDn Home End  move in the tree, or scroll the preview (End: follow new output)
        Enter         on a session: open its terminal (tmux attach; ssh for other computers);
                      on a computer or project: expand / collapse      ← → collapse / expand
        m             message the selected session (Enter sends, Ctrl+J or Shift+Enter new line)
        y n 1 2 3…    on a waiting session: answer it (y yes, n no, or the agent's own keys)
        w             jump to the session waiting longest
        t             preview: switch between the screen and the transcript
        /             filter by title, project, agent or computer (Esc clears)
        n             new session on the selected project
        k             end the selected session (asks first)
        a             add a project on this computer (proposes the current directory)
        x             remove the selected added project (asks first; configured ones stay)
        r             refresh the current view (re-pull from every computer)
        ?             this help                q  quit

        Rows marked * changed in the last 2 seconds; ! waits for you.
        """;

    public static void ShowHelp(IApplication app)
    {
        using var dialog = new Dialog { Title = "telec keys" };
        dialog.Add(new Label { X = 1, Y = 1, Text = HelpText.TrimEnd() });
        dialog.AddButton(new Button { Text = "OK" });
        app.Run(dialog);
    }

    public static bool Confirm(IApplication app, string title, string message, string action) =>
        MessageBox.Query(app, title, message, "Cancel", action) == 1;

    /// <summary>Asks for title, agent and an optional first message; null when cancelled or left empty.</summary>
    public static NewSessionAnswer? AskNewSession(IApplication app, string projectName)
    {
        using var dialog = new Dialog { Title = $"New session in {projectName}" };
        var titleLabel = new Label { X = 1, Y = 1, Text = "Title:" };
        var title = new TextField { X = 9, Y = 1, Width = 50, Text = "" };
        var agentLabel = new Label { X = 1, Y = 3, Text = "Agent:" };
        var agent = new TextField { X = 9, Y = 3, Width = 50, Text = DefaultAgent };
        var taskLabel = new Label { X = 1, Y = 5, Text = "Task:" };
        var task = new TextField { X = 9, Y = 5, Width = 50, Text = "" };
        var taskHint = new Label { X = 9, Y = 6, Text = "optional: the agent's first message (Tab moves between fields)" };
        dialog.Add(titleLabel, title, agentLabel, agent, taskLabel, task, taskHint);
        dialog.AddButton(new Button { Text = "Cancel" });
        dialog.AddButton(new Button { Text = "Create" });
        title.SetFocus();
        app.Run(dialog);
        if (dialog.Result != 1 || string.IsNullOrWhiteSpace(title.Text))
        {
            return null;
        }

        return new NewSessionAnswer(
            title.Text.Trim(), string.IsNullOrWhiteSpace(agent.Text) ? DefaultAgent : agent.Text.Trim(), string.IsNullOrWhiteSpace(task.Text) ? null : task.Text.Trim());
    }

    /// <summary>
    /// The message editor: several lines; Enter sends, Ctrl+J or Shift+Enter starts a new line, Esc cancels. Terminals send
    /// Ctrl+J as a line feed, which Terminal.Gui reads as Ctrl+Enter; Shift+Enter arrives as such only where the terminal
    /// reports modifiers (kitty keyboard protocol).
    /// Null when cancelled or left blank.
    /// </summary>
    public static string? AskMessage(IApplication app, string sessionName, string computer)
    {
        using var dialog = new Dialog { Title = $"Message to {sessionName} on {computer}", Width = Dim.Percent(80), Height = 14 };
        var hint = new Label { X = 1, Y = 0, Text = "Enter sends · Ctrl+J or Shift+Enter new line · Esc cancels" };
#pragma warning disable CS0618 // TextView: its successor (tui-cs/Editor) is a separate package; TextView works in 2.5 and is all a message needs.
        var editor = new TextView { X = 1, Y = 2, Width = Dim.Fill(1), Height = Dim.Fill(1), Text = "", WordWrap = true };
#pragma warning restore CS0618
        var send = false;
        editor.KeyDown += (_, key) =>
        {
            if (key == Key.Enter)
            {
                send = true;
                key.Handled = true;
                app.RequestStop(dialog);
            }
            else if (key == Key.Enter.WithShift || key == Key.Enter.WithCtrl || key == Key.J.WithCtrl)
            {
                editor.InsertText("\n");
                key.Handled = true;
            }
        };
        dialog.Add(hint, editor);
        editor.SetFocus();
        app.Run(dialog);
        var text = editor.Text.ReplaceLineEndings("\n").TrimEnd('\n');
        return send && !string.IsNullOrWhiteSpace(text) ? text : null;
    }

    /// <summary>Asks for a project directory (proposing <paramref name="proposedPath"/>) and optional name and description.</summary>
    public static ProjectAnswer? AskProject(IApplication app, string computer, string proposedPath)
    {
        using var dialog = new Dialog { Title = $"Add a project on {computer}", Width = Dim.Percent(80) };
        var pathLabel = new Label { X = 1, Y = 1, Text = "Directory:" };
        var path = new TextField { X = 14, Y = 1, Width = Dim.Fill(2), Text = proposedPath };
        var nameLabel = new Label { X = 1, Y = 3, Text = "Name:" };
        var name = new TextField { X = 14, Y = 3, Width = Dim.Fill(2), Text = "" };
        var descriptionLabel = new Label { X = 1, Y = 5, Text = "Description:" };
        var description = new TextField { X = 14, Y = 5, Width = Dim.Fill(2), Text = "" };
        var hint = new Label { X = 1, Y = 7, Text = "An existing directory, as an absolute path. Name: the directory's when empty." };
        dialog.Add(pathLabel, path, nameLabel, name, descriptionLabel, description, hint);
        dialog.AddButton(new Button { Text = "Cancel" });
        dialog.AddButton(new Button { Text = "Add" });
        path.SetFocus();
        app.Run(dialog);
        if (dialog.Result != 1 || string.IsNullOrWhiteSpace(path.Text))
        {
            return null;
        }

        return new ProjectAnswer(
            path.Text.Trim(),
            string.IsNullOrWhiteSpace(name.Text) ? null : name.Text.Trim(),
            string.IsNullOrWhiteSpace(description.Text) ? null : description.Text.Trim());
    }
}

internal sealed record NewSessionAnswer(string Title, string Agent, string? Message);

internal sealed record ProjectAnswer(string Path, string? Name, string? Description);
