using System.Text;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Projects;

/// <summary>
/// Reads <c>todos/roadmap.md</c>: <c>- [ ] slug</c> (pending), <c>- [.] slug</c> (ready),
/// <c>- [&gt;] slug</c> (in progress); indented lines after an item are its description.
/// Anything else is skipped, never fatal.
/// </summary>
internal static class RoadmapParser
{
    /// <summary>Roadmap items in file order. A slug seen twice keeps its first entry.</summary>
    /// <param name="roadmap">The file's text.</param>
    /// <param name="hasFile">Tells whether a file exists under <c>todos/</c>, e.g. "my-slug/requirements.md".</param>
    public static IReadOnlyList<TodoInfo> Parse(string roadmap, Func<string, bool> hasFile)
    {
        ArgumentNullException.ThrowIfNull(roadmap);
        ArgumentNullException.ThrowIfNull(hasFile);

        var todos = new List<TodoInfo>();
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        string? slug = null;
        var status = TodoStatus.Pending;
        var description = new StringBuilder();

        foreach (var rawLine in roadmap.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (TryParseItem(line, out var itemStatus, out var itemSlug))
            {
                Flush();
                if (slugs.Add(itemSlug))
                {
                    slug = itemSlug;
                    status = itemStatus;
                }

                continue;
            }

            if (slug is not null && line.Length > 0 && char.IsWhiteSpace(line[0]) && line.Trim().Length > 0)
            {
                if (description.Length > 0)
                {
                    description.Append('\n');
                }

                description.Append(line.Trim());
            }
            else if (line.Trim().Length > 0)
            {
                // An unindented line that is not an item (heading, prose, malformed item) ends the current item.
                Flush();
            }
        }

        Flush();
        return todos;

        void Flush()
        {
            if (slug is not null)
            {
                todos.Add(new TodoInfo(
                    slug,
                    status,
                    description.ToString(),
                    hasFile($"{slug}/requirements.md"),
                    hasFile($"{slug}/implementation-plan.md")));
            }

            slug = null;
            description.Clear();
        }
    }

    /// <summary>Matches <c>- [x] slug</c> where x is ' ', '.' or '&gt;' and the slug is a safe folder name.</summary>
    internal static bool TryParseItem(string line, out TodoStatus status, out string slug)
    {
        status = TodoStatus.Pending;
        slug = "";
        if (line.Length < 7 || !line.StartsWith("- [", StringComparison.Ordinal) || line[4] != ']' || line[5] != ' ')
        {
            return false;
        }

        TodoStatus? parsed = line[3] switch
        {
            ' ' => TodoStatus.Pending,
            '.' => TodoStatus.Ready,
            '>' => TodoStatus.InProgress,
            _ => null,
        };
        var candidate = line[6..].Trim();
        if (parsed is null || !IsSafeSlug(candidate))
        {
            return false;
        }

        status = parsed.Value;
        slug = candidate;
        return true;
    }

    /// <summary>Slugs name folders under todos/: letters, digits, '.', '_', '-', not starting with '.'.</summary>
    internal static bool IsSafeSlug(string slug) =>
        slug.Length is > 0 and <= 128
        && slug[0] != '.'
        && slug.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
