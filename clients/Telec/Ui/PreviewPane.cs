using System.Text;
using Telec.Model;
using Terminal.Gui.Drawing;
using Terminal.Gui.ViewBase;

namespace Telec.Ui;

/// <summary>
/// The selected session's live screen (or its conversation) below the tree, with its own scroll position: it follows
/// new output while at the bottom; scrolling up (PgUp/↑ with the pane focused) holds the view until End. Above the
/// screen it can show notes (the question a session waits on, why there is no live screen): those are telec's own
/// sentences, so they are wrapped to the pane's width, while the screen's lines are a terminal's and are cut.
/// </summary>
internal sealed class PreviewPane : View
{
    private IReadOnlyList<string> _notes = [];
    private IReadOnlyList<string> _lines = [];
    private IReadOnlyList<string> _display = [];
    private int _displayWidth = -1;
    private int _top;

    public PreviewPane()
    {
        BorderStyle = LineStyle.Single;
        CanFocus = true;
    }

    /// <summary>True while the pane shows the newest lines as they arrive.</summary>
    public bool Following { get; private set; } = true;

    public int LineCount => Display.Count;

    private int VisibleRows => Math.Max(1, Viewport.Height);

    private int MaxTop => Math.Max(0, Display.Count - VisibleRows);

    /// <summary>The notes wrapped to the current width, then the screen's lines.</summary>
    private IReadOnlyList<string> Display
    {
        get
        {
            var width = Math.Max(10, Viewport.Width);
            if (width != _displayWidth)
            {
                _displayWidth = width;
                _display = [.. _notes.SelectMany(n => Wrap(n, width)), .. _lines];
            }

            return _display;
        }
    }

    /// <summary>Replaces the content; keeps the scroll position unless following (then shows the end).</summary>
    public void SetLines(IReadOnlyList<string> lines) => SetContent([], lines);

    /// <summary>As <see cref="SetLines"/>, with <paramref name="notes"/> above the lines, wrapped to the pane's width.</summary>
    public void SetContent(IReadOnlyList<string> notes, IReadOnlyList<string> lines)
    {
        _notes = notes;
        _lines = lines;
        _displayWidth = -1;
        _top = Following ? MaxTop : Math.Min(_top, MaxTop);
        SetNeedsDraw();
    }

    /// <summary>Back to following the end (a new session selected, or End).</summary>
    public void Follow()
    {
        Following = true;
        _top = MaxTop;
        SetNeedsDraw();
    }

    public void ScrollBy(int lines)
    {
        _top = Math.Clamp(_top + lines, 0, MaxTop);
        Following = _top >= MaxTop;
        SetNeedsDraw();
    }

    public void ScrollPages(int pages) => ScrollBy(pages * Math.Max(1, VisibleRows - 1));

    public void ScrollToTop()
    {
        _top = 0;
        Following = MaxTop == 0;
        SetNeedsDraw();
    }

    protected override bool OnDrawingContent(DrawContext? context)
    {
        SetAttribute(GetAttributeForRole(VisualRole.Normal));
        var width = Viewport.Width;
        var display = Display;
        if (Following)
        {
            // The height may have changed since the content did (a resize).
            _top = MaxTop;
        }

        _top = Math.Min(_top, MaxTop);
        for (var row = 0; row < Viewport.Height; row++)
        {
            var index = _top + row;
            var text = index < display.Count ? Clip(display[index], width) : "";
            Move(0, row);
            AddStr(text.PadRight(width));
        }

        return true;
    }

    /// <summary>
    /// Word-wraps one note to <paramref name="width"/> columns; continuation lines keep the note's indent plus two. A word
    /// longer than a line is cut across lines.
    /// </summary>
    internal static List<string> Wrap(string note, int width)
    {
        ArgumentNullException.ThrowIfNull(note);
        var indent = new string(' ', note.Length - note.TrimStart().Length);
        var lines = new List<string>();
        var line = new StringBuilder(indent);
        var empty = true;
        foreach (var whole in Rows.OneLine(note, int.MaxValue).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var word = whole;
            while (word.Length > 0)
            {
                if (line.Length + (empty ? 0 : 1) + word.Length <= width)
                {
                    line.Append(empty ? "" : " ").Append(word);
                    empty = false;
                    word = "";
                    continue;
                }

                if (empty)
                {
                    // Longer than a whole line: cut it.
                    var room = Math.Clamp(width - line.Length, 1, word.Length);
                    lines.Add(line.Append(word[..room]).ToString());
                    word = word[room..];
                }
                else
                {
                    lines.Add(line.ToString());
                }

                line.Clear().Append(indent).Append("  ");
                empty = true;
            }
        }

        if (!empty || lines.Count == 0)
        {
            lines.Add(line.ToString().TrimEnd());
        }

        return lines;
    }

    /// <summary>One screen line cut to the width: tabs as spaces, control characters dropped.</summary>
    private static string Clip(string line, int width)
    {
        var clean = line.Replace("\t", "    ", StringComparison.Ordinal);
        if (clean.Any(char.IsControl))
        {
            clean = new string(clean.Where(c => !char.IsControl(c)).ToArray());
        }

        return clean.Length <= width ? clean : clean[..Math.Max(0, width)];
    }
}
