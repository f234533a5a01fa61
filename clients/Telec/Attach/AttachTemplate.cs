using System.Text;

namespace Telec.Attach;

/// <summary>
/// A command line with placeholders, split into arguments like a shell would (spaces separate; single or double quotes
/// group) but never run through a shell: each argument is filled in on its own, so a title or path cannot inject
/// anything. Placeholders: {host} {user} {computer} {socket} {tmux_session} {session_id}.
/// </summary>
internal static class AttachTemplate
{
    public static IReadOnlyList<string> Placeholders { get; } = ["host", "user", "computer", "socket", "tmux_session", "session_id"];

    /// <summary>What is wrong with <paramref name="template"/>, or null.</summary>
    public static string? Problem(string template)
    {
        if (Split(template) is not { } args)
        {
            return "has an unclosed quote.";
        }

        if (args.Count == 0)
        {
            return "is empty.";
        }

        foreach (var arg in args)
        {
            foreach (var name in PlaceholdersIn(arg))
            {
                if (!Placeholders.Contains(name, StringComparer.Ordinal))
                {
                    return $"unknown placeholder {{{name}}} (known: {string.Join(" ", Placeholders.Select(p => "{" + p + "}"))}).";
                }
            }
        }

        return null;
    }

    /// <summary>The arguments with every placeholder filled in; the name of a placeholder without a value makes it fail.</summary>
    public static (IReadOnlyList<string>? Argv, string? MissingPlaceholder) Fill(string template, IReadOnlyDictionary<string, string?> values)
    {
        var args = Split(template) ?? throw new ArgumentException("The template has an unclosed quote.", nameof(template));
        var filled = new List<string>(args.Count);
        foreach (var arg in args)
        {
            var text = arg;
            foreach (var name in PlaceholdersIn(arg))
            {
                if (!values.TryGetValue(name, out var value) || string.IsNullOrEmpty(value))
                {
                    return (null, name);
                }

                text = text.Replace("{" + name + "}", value, StringComparison.Ordinal);
            }

            filled.Add(text);
        }

        return (filled, null);
    }

    /// <summary>Shell-like word splitting; null on an unclosed quote.</summary>
    public static IReadOnlyList<string>? Split(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var args = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in command)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    args.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }

        if (quote is not null)
        {
            return null;
        }

        if (inWord)
        {
            args.Add(current.ToString());
        }

        return args;
    }

    private static IEnumerable<string> PlaceholdersIn(string arg)
    {
        var start = arg.IndexOf('{', StringComparison.Ordinal);
        while (start >= 0)
        {
            var end = arg.IndexOf('}', start + 1);
            if (end < 0)
            {
                yield break;
            }

            yield return arg[(start + 1)..end];
            start = arg.IndexOf('{', end + 1);
        }
    }
}
