using Terminal.Gui.App;
using Terminal.Gui.Views;

namespace Telec.Ui;

/// <summary>The small modal dialogs: new session, confirmation, help.</summary>
internal static class Dialogs
{
    public const string DefaultAgent = "claude";

    public const string HelpText = """
        Tab, 1, 2     switch view (1 sessions, 2 preparation)
        ↑ ↓ PgUp PgDn  move
        Enter         expand / collapse the selected computer or project
        ← →           collapse / expand
        r             refresh the current view (re-pull from every computer)
        n             new session on the selected project
        k             end the selected session (asks first)
        ?             this help
        q             quit

        Rows marked * changed in the last 2 seconds.
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

    /// <summary>Asks for title and agent; null when cancelled or left empty.</summary>
    public static NewSessionAnswer? AskNewSession(IApplication app, string projectName)
    {
        using var dialog = new Dialog { Title = $"New session in {projectName}" };
        var titleLabel = new Label { X = 1, Y = 1, Text = "Title:" };
        var title = new TextField { X = 9, Y = 1, Width = 50, Text = "" };
        var agentLabel = new Label { X = 1, Y = 3, Text = "Agent:" };
        var agent = new TextField { X = 9, Y = 3, Width = 50, Text = DefaultAgent };
        dialog.Add(titleLabel, title, agentLabel, agent);
        dialog.AddButton(new Button { Text = "Cancel" });
        dialog.AddButton(new Button { Text = "Create" });
        title.SetFocus();
        app.Run(dialog);
        if (dialog.Result != 1 || string.IsNullOrWhiteSpace(title.Text))
        {
            return null;
        }

        return new NewSessionAnswer(title.Text.Trim(), string.IsNullOrWhiteSpace(agent.Text) ? DefaultAgent : agent.Text.Trim());
    }
}

internal sealed record NewSessionAnswer(string Title, string Agent);
