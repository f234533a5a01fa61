using Terminal.Gui.Drawing;
using Terminal.Gui.ViewBase;

namespace Telec.Ui;

/// <summary>
/// The selected session's live screen (or its conversation) below the tree, with its own scroll position: it follows
/// new output while at the bottom; scrolling up (PgUp/↑ with the pane focused) holds the view until End.
/// </summary>
internal sealed class PreviewPane : View
{
    private IReadOnlyList<string> _lines = [];
    private int _top;

    public PreviewPane()
    {
        BorderStyle = LineStyle.Single;
        CanFocus = true;
    }

    /// <summary>True while the pane shows the newest lines as they arrive.</summary>
    public bool Following { get; private set; } = true;

    public int LineCount => _lines.Count;

    private int Rows => Math.Max(1, Viewport.Height);

    private int MaxTop => Math.Max(0, _lines.Count - Rows);

    /// <summary>Replaces the content; keeps the scroll position unless following (then shows the end).</summary>
    public void SetLines(IReadOnlyList<string> lines)
    {
        _lines = lines;
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

    public void ScrollPages(int pages) => ScrollBy(pages * Math.Max(1, Rows - 1));

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
        if (Following)
        {
            // The height may have changed since the content did (a resize).
            _top = MaxTop;
        }

        for (var row = 0; row < Viewport.Height; row++)
        {
            var index = _top + row;
            var text = index < _lines.Count ? Clip(_lines[index], width) : "";
            Move(0, row);
            AddStr(text.PadRight(width));
        }

        return true;
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
