using TeleClaude.Contracts;

namespace Telec.Model;

/// <summary>Maps telec's one-key answers to a waiting agent's own choices.</summary>
internal static class AnswerKeys
{
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

    /// <summary>The footer hint for a waiting session: "y Yes · n No · 1 Yes · 2 Yes, always · 3 No".</summary>
    public static string Hint(WaitingInfo? waiting)
    {
        if (waiting is null || waiting.Choices.Count == 0)
        {
            return "waits for text: m to reply";
        }

        var yes = waiting.Choices.FirstOrDefault(c => c.Meaning == AnswerMeanings.Yes);
        var no = waiting.Choices.FirstOrDefault(c => c.Meaning == AnswerMeanings.No);
        var parts = new List<string>();
        if (yes is not null)
        {
            parts.Add($"y {Rows.OneLine(yes.Label, 20)}");
        }

        if (no is not null)
        {
            parts.Add($"n {Rows.OneLine(no.Label, 20)}");
        }

        parts.AddRange(waiting.Choices.Select(c => $"{c.Key} {Rows.OneLine(c.Label, 24)}"));
        return "answer: " + string.Join(" · ", parts);
    }
}
