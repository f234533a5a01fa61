namespace Telec.Model;

/// <summary>The views of the main window.</summary>
internal enum TelecView
{
    Sessions,
    Preparation,
    NeedsYou,
}

/// <summary>Which part of the main window has the keyboard.</summary>
internal enum TelecFocus
{
    Tree,
    Preview,
}

/// <summary>Keys other than printable characters that telec acts on.</summary>
internal enum SpecialKey
{
    None,
    Tab,
    ShiftTab,
    Enter,
    Escape,
    Left,
    Right,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
}

/// <summary>A key press, reduced to what telec distinguishes (Ctrl/Alt combinations never reach the map).</summary>
internal readonly record struct KeyInput(SpecialKey Special, char Char = '\0')
{
    public static KeyInput Of(char c) => new(SpecialKey.None, c);

    public static KeyInput Of(SpecialKey key) => new(key);
}

/// <summary>What the window is showing when a key arrives.</summary>
/// <param name="View">The current view.</param>
/// <param name="Focus">Tree or preview.</param>
/// <param name="Selected">The selected row, if any.</param>
/// <param name="Waiting">The selected session's question, when it waits for the user.</param>
/// <param name="Filtering">True while a <c>/</c> filter is applied.</param>
internal readonly record struct KeyContext(TelecView View, TelecFocus Focus, RowKind? Selected, TeleClaude.Contracts.WaitingInfo? Waiting, bool Filtering);

/// <summary>Everything a key can do in the main window.</summary>
internal enum TelecCommand
{
    /// <summary>Not telec's: the focused view (the tree's list) handles it.</summary>
    None,
    ShowSessions,
    ShowPreparation,
    ShowNeedsYou,
    FocusPreview,
    FocusTree,
    Activate,
    Collapse,
    Expand,
    ScrollUp,
    ScrollDown,
    ScrollPageUp,
    ScrollPageDown,
    ScrollTop,
    ScrollBottom,
    Refresh,
    NewSession,
    EndSession,
    Message,
    Answer,
    JumpToWaiting,
    Find,
    ClearFilter,
    AddProject,
    RemoveProject,
    ToggleTranscript,
    Help,
    Quit,
}

/// <summary>
/// The key bindings of the main window, as one pure function (unit-tested). On a waiting session its answer keys
/// (<c>y</c>, <c>n</c> and the agent's own choice keys, e.g. <c>1</c>-<c>3</c>) win over the keys they share with other
/// actions (<c>n</c> new session, <c>1</c>-<c>3</c> views); the footer shows them whenever such a row is selected.
/// </summary>
internal static class KeyMap
{
    public static TelecCommand Resolve(KeyContext context, KeyInput key)
    {
        var hasPreview = context.View != TelecView.Preparation;
        if (context.Focus == TelecFocus.Preview)
        {
            switch (key.Special)
            {
                case SpecialKey.Up: return TelecCommand.ScrollUp;
                case SpecialKey.Down: return TelecCommand.ScrollDown;
                case SpecialKey.PageUp: return TelecCommand.ScrollPageUp;
                case SpecialKey.PageDown: return TelecCommand.ScrollPageDown;
                case SpecialKey.Home: return TelecCommand.ScrollTop;
                case SpecialKey.End: return TelecCommand.ScrollBottom;
                case SpecialKey.Tab or SpecialKey.ShiftTab or SpecialKey.Escape: return TelecCommand.FocusTree;
            }
        }

        switch (key.Special)
        {
            case SpecialKey.Tab or SpecialKey.ShiftTab:
                return hasPreview ? TelecCommand.FocusPreview : TelecCommand.None;
            case SpecialKey.Enter:
                return TelecCommand.Activate;
            case SpecialKey.Left:
                return TelecCommand.Collapse;
            case SpecialKey.Right:
                return TelecCommand.Expand;
            case SpecialKey.Escape:
                return context.Filtering ? TelecCommand.ClearFilter : TelecCommand.None;
            case SpecialKey.None:
                break;
            default:
                // Up, Down, PgUp, PgDn, Home, End: the tree's list moves its selection itself.
                return TelecCommand.None;
        }

        if (context.Selected == RowKind.Session && AnswerKeys.Answers(context.Waiting, key.Char))
        {
            return TelecCommand.Answer;
        }

        return key.Char switch
        {
            '1' => TelecCommand.ShowSessions,
            '2' => TelecCommand.ShowPreparation,
            '3' => TelecCommand.ShowNeedsYou,
            'r' => TelecCommand.Refresh,
            'n' => TelecCommand.NewSession,
            'k' => TelecCommand.EndSession,
            'm' => TelecCommand.Message,
            'w' => TelecCommand.JumpToWaiting,
            '/' => TelecCommand.Find,
            'a' => TelecCommand.AddProject,
            'x' => TelecCommand.RemoveProject,
            't' => TelecCommand.ToggleTranscript,
            '?' => TelecCommand.Help,
            'q' => TelecCommand.Quit,
            _ => TelecCommand.None,
        };
    }
}
