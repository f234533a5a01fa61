namespace TeleClaude.Daemon.Web;

/// <summary>The browser dashboard (section <c>TeleClaude:Web</c>).</summary>
internal sealed class WebOptions
{
    public const string SectionName = "TeleClaude:Web";

    /// <summary>
    /// How long a browser stays signed in without using the dashboard (sliding: each visit renews it). Rotating the
    /// token (<c>token rotate</c>) signs every browser out at once, whatever is left of this.
    /// </summary>
    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromDays(30);
}
