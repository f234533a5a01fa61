using System.Text;
using Telec.Model;
using Terminal.Gui.Drawing;
using Terminal.Gui.ViewBase;

namespace Telec.Ui;

/// <summary>
/// The selected session's live screen (or its conversation) below the tree, with its own scroll position: it follows
/// new output while at the bottom; scrolling up (PgUp/↑ with the pane focused) holds the view until End. Above the
/// screen it can show notes (the question a session waits on, why there is no live screen): those stay at the top
/// while the screen scrolls below them, and they are telec's own sentences, so they are wrapped to the pane's width,
/// while the screen's lines are a terminal's and are cut.
/// </summary>
internal sealed class PreviewPane : View
{
    private IReadOnlyList<string> _notes = [];
    private IReadOnlyList<string> _lines = [];
    private IReadOnlyList<string> _wrapped = [];
    private int _wrappedWidth = -1;
    private int _top;

    public PreviewPane()
    {
        BorderStyle = LineStyle.Single;
        CanFocus = true;
    }

    /// <summary>True while the pane shows the newest lines as they arrive.</summary>
    public bool Following { get; private set; } = true;

    /// <summary>The notes as drawn: wrapped to the width, at most half the pane (the screen keeps the rest).</summary>
    private IReadOnlyList<string> Notes
    {
        get
        {
            var width = Math.Max(10, Viewport.Width);
            if (width != _wrappedWidth)
            {
                _wrappedWidth = width;
                _wrapped = [.. _notes.SelectMany(n => Wrap(n, width))];
            }

            var room = Math.Max(1, Viewport.Height / 2);
            return _wrapped.Count <= room ? _wrapped : [.. _wrapped.Take(room - 1), Rows.OneLine(_wrapped[room - 1], width - 1) + "…"];
        }
    }

    /// <summary>Rows left for the screen's lines below the notes.</summary>
    private int BodyRows => Math.Max(1, Viewport.Height - Notes.Count);

    private int MaxTop => Math.Max(0, _lines.Count - BodyRows);

    /// <summary>Replaces the content; keeps the scroll position unless following (then shows the end).</summary>
    public void SetLines(IReadOnlyList<string> lines) => SetContent([], lines);

    /// <summary>As <see cref="SetLines"/>, with <paramref name="notes"/> fixed above the lines, wrapped to the pane's width.</summary>
    public void SetContent(IReadOnlyList<string> notes, IReadOnlyList<string> lines)
    {
        _notes = notes;
        _lines = lines;
        _wrappedWidth = -1;
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

    public void ScrollPages(int pages) => ScrollBy(pages * Math.Max(1, BodyRows - 1));

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
        var notes = Notes;
        if (Following)
        {
            // The height may have changed since the content did (a resize).
            _top = MaxTop;
        }

        _top = Math.Min(_top, MaxTop);
        for (var row = 0; row < Viewport.Height; row++)
        {
            var index = _top + row - notes.Count;
            var text = row < notes.Count ? notes[row] : index < _lines.Count ? Clip(_lines[index], width) : "";
            Move(0, row);
            AddStr(Clip(text, width).PadRight(width));
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

    /// <summary>
    /// A captured screen as preview lines: runs of blank lines are shown as one. Full-screen agents (Claude Code keeps
    /// its input box at the bottom of a 50-row window) leave many blank rows between their last message and the input
    /// box; in a pane a third of that height they would push the message out of sight.
    /// </summary>
    internal static List<string> ScreenLines(string screen)
    {
        ArgumentNullException.ThrowIfNull(screen);
        var lines = new List<string>();
        foreach (var raw in screen.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length > 0 || lines.Count == 0 || lines[^1].Length > 0)
            {
                lines.Add(line);
            }
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
