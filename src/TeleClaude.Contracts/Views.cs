namespace TeleClaude.Contracts;

/// <summary>Names of the views a client can subscribe to on <see cref="ISessionsHub"/>.</summary>
public static class Views
{
    /// <summary>Computers and their sessions.</summary>
    public const string Sessions = "sessions";

    /// <summary>Computers, projects and their todos.</summary>
    public const string Preparation = "preparation";

    /// <summary>Every known view name.</summary>
    public static IReadOnlyList<string> All { get; } = [Sessions, Preparation];

    /// <summary>True when <paramref name="view"/> is a known view name (case-sensitive).</summary>
    public static bool IsKnown(string? view) => view is Sessions or Preparation;
}
