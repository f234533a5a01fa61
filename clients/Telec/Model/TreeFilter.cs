namespace Telec.Model;

/// <summary>
/// What <c>/</c> filters by: every word of the query must appear (case-insensitive) in one of the texts of a row —
/// title, project name or path, agent, computer (todos: slug and description).
/// </summary>
internal sealed class TreeFilter
{
    public static readonly TreeFilter None = new("");

    private readonly string[] _words;

    public TreeFilter(string query)
    {
        Query = query?.Trim() ?? "";
        _words = Query.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    public string Query { get; }

    public bool IsActive => _words.Length > 0;

    /// <summary>True when every word of the query is in at least one of <paramref name="texts"/>.</summary>
    public bool Matches(params string?[] texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        foreach (var word in _words)
        {
            if (!texts.Any(t => t is not null && t.Contains(word, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
        }

        return true;
    }
}
