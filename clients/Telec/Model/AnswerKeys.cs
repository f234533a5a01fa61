using TeleClaude.Contracts;

namespace Telec.Model;

/// <summary>Maps telec's one-key answers to a waiting agent's own choices.</summary>
internal static class AnswerKeys
{
    /// <summary>telec's own answer keys, mapped through the choices' meanings.</summary>
    private static readonly char[] Aliases = ['y', 'n'];

    /// <summary>
    /// The choice key to send for <paramref name="pressed"/>: <c>y</c> is the first choice meaning yes, <c>n</c> the first
    /// meaning no; any other key that is one of the agent's own choice keys is sent as it is. Null when the key answers nothing.
    /// </summary>
    public static string? Resolve(WaitingInfo? waiting, char pressed)
    {
        if (waiting is null || waiting.Choices.Count == 0)
        {
            return null;
        }

        var own = waiting.Choices.FirstOrDefault(c => c.Key.Length == 1 && c.Key[0] == pressed);
        if (own is not null)
        {
            return own.Key;
        }

        var meaning = pressed switch
        {
            'y' => AnswerMeanings.Yes,
            'n' => AnswerMeanings.No,
            _ => null,
        };
        return meaning is null ? null : waiting.Choices.FirstOrDefault(c => c.Meaning == meaning)?.Key;
    }

    /// <summary>True when <paramref name="pressed"/> answers <paramref name="waiting"/> (so it must not run its usual action).</summary>
    public static bool Answers(WaitingInfo? waiting, char pressed) =>
        waiting is { Choices.Count: > 0 } && (pressed is 'y' or 'n' || waiting.Choices.Any(c => c.Key.Length == 1 && c.Key[0] == pressed));

    /// <summary>
    /// The footer hint for a waiting session: every choice once, in the agent's order, after the keys that give it in telec
    /// (exactly what <see cref="Resolve"/> does with them): "answer: y/1 Yes · 2 Yes, and don't ask again · n/3 No" for a
    /// numbered dialog, "answer: y Yes · n No" for a y/n prompt. A choice no single key reaches (a two-digit key) is listed
    /// with its key and "(m)": the message editor can type it.
    /// </summary>
    public static string Hint(WaitingInfo? waiting)
    {
        if (waiting is null || waiting.Choices.Count == 0)
        {
            return "waits for text: m to reply";
        }

        var parts = waiting.Choices.Select(choice =>
        {
            var keys = KeysFor(waiting, choice);
            var label = Rows.OneLine(choice.Label, 24);
            return keys.Count == 0 ? $"{choice.Key} {label} (m)" : $"{string.Join('/', keys)} {label}";
        });
        return "answer: " + string.Join(" · ", parts);
    }

    /// <summary>The keys that answer <paramref name="choice"/>: y and n first when they map to it, then its own key.</summary>
    private static List<char> KeysFor(WaitingInfo waiting, AnswerChoice choice)
    {
        var keys = new List<char>();
        foreach (var key in Aliases.Concat(choice.Key.Length == 1 ? [choice.Key[0]] : []))
        {
            if (!keys.Contains(key) && Resolve(waiting, key) == choice.Key)
            {
                keys.Add(key);
            }
        }

        return keys;
    }
}
