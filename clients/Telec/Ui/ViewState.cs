using Telec.Model;

namespace Telec.Ui;

/// <summary>What the user set up in the window; kept outside it so it survives an attach (which restarts the UI loop).</summary>
internal sealed class ViewState
{
    public TelecView View { get; set; } = TelecView.Sessions;

    public HashSet<string> Collapsed { get; } = new(StringComparer.Ordinal);

    public string? SelectedKey { get; set; }

    public TreeFilter Filter { get; set; } = TreeFilter.None;

    public bool ShowTranscript { get; set; }

    /// <summary>The outcome of the last action, shown in the footer.</summary>
    public string? Notice { get; set; }
}
