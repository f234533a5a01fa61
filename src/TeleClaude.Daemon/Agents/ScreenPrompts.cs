using System.Text.RegularExpressions;
using TeleClaude.Contracts;

namespace TeleClaude.Daemon.Agents;

/// <summary>A prompt recognised on an agent's screen.</summary>
/// <param name="Text">The prompt line, then (for a menu dialog) the few lines above it that say what it is about.</param>
/// <param name="Choices">The numbered options below it (or y/n for a y/n prompt); empty when it takes free text.</param>
internal sealed record ScreenPrompt(string Text, IReadOnlyList<AnswerChoice> Choices);

/// <summary>Finds "the agent waits for you" prompts in the last lines of a screen and reads their choices.</summary>
internal static partial class ScreenPrompts
{
    /// <summary>Only the bottom of the screen counts: a prompt scrolled up was answered.</summary>
    public const int LinesConsidered = 16;

    private const int ContextLines = 4;

    // The selection marker: Claude Code's ❯, Gemini CLI's ● (drawn inside its dialog box, hence the │ borders).
    [GeneratedRegex(@"^[\s│|]*(?:[❯›>▶→●]\s*)?(\d{1,2})[.)]\s+(.+?)[\s│|]*$")]
    private static partial Regex NumberedOption();

    [GeneratedRegex(@"[\[(][yY](?:es)?/[nN](?:o)?[\])]")]
    private static partial Regex YesNo();

    /// <summary>The prompt at the bottom of <paramref name="screen"/> that one of <paramref name="patterns"/> matches, or null.</summary>
    public static ScreenPrompt? Detect(string screen, IReadOnlyList<Regex> patterns)
    {
        var lines = screen.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).TakeLast(LinesConsidered).ToArray();
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            if (!patterns.Any(p => Matches(p, lines[i])))
            {
                continue;
            }

            var choices = new List<AnswerChoice>();
            var between = new List<string>();
            foreach (var line in lines[(i + 1)..])
            {
                var option = NumberedOption().Match(line);
                if (option.Success)
                {
                    choices.Add(new AnswerChoice(option.Groups[1].Value, option.Groups[2].Value, MeaningOf(option.Groups[2].Value)));
                }
                else if (choices.Count == 0)
                {
                    between.Add(line);
                }
            }

            // The question first. A dialog with a menu names its subject above the question (Claude Code: "Bash
            // command", "touch x.txt") or between it and the menu (Codex: "Reason: ...", "$ touch x.txt"), so those
            // lines follow it; a line prompt ("Overwrite? [y/n]") says it all in its line.
            var question = Clean(lines[i]);
            var subject = between.Select(Clean).Where(l => l.Length > 0 && !IsRule(l)).Take(ContextLines).ToList();
            var text = choices.Count == 0
                ? question
                : string.Join('\n', (subject.Count > 0 ? subject : lines[Math.Max(0, i - ContextLines)..i].Select(Clean).Where(l => l.Length > 0 && !IsRule(l))).Prepend(question));
            if (choices.Count == 0 && YesNo().IsMatch(lines[i]))
            {
                choices.Add(new AnswerChoice("y", "Yes", AnswerMeanings.Yes));
                choices.Add(new AnswerChoice("n", "No", AnswerMeanings.No));
            }

            return new ScreenPrompt(text, choices);
        }

        return null;
    }

    /// <summary>What an option's label means, so clients can map their own yes/no keys.</summary>
    public static string MeaningOf(string label)
    {
        var l = label.Trim().ToLowerInvariant();
        if (l.StartsWith("no", StringComparison.Ordinal) && (l.Length == 2 || !char.IsLetter(l[2])) || l.StartsWith("deny", StringComparison.Ordinal) || l.StartsWith("reject", StringComparison.Ordinal))
        {
            return AnswerMeanings.No;
        }

        if (l.Contains("always", StringComparison.Ordinal) || l.Contains("don't ask", StringComparison.Ordinal) || l.Contains("do not ask", StringComparison.Ordinal)
            || l.Contains("for this session", StringComparison.Ordinal) || l.Contains("future sessions", StringComparison.Ordinal)) // Gemini CLI's "Allow for this session"
        {
            return AnswerMeanings.Always;
        }

        string[] yes = ["yes", "allow", "approve", "proceed", "ok"];
        return yes.Any(y => l.StartsWith(y, StringComparison.Ordinal)) && !l.Contains(", and", StringComparison.Ordinal) ? AnswerMeanings.Yes : AnswerMeanings.Other;
    }

    private static bool Matches(Regex pattern, string line)
    {
        try
        {
            return pattern.IsMatch(line);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    // Nested boxes (Gemini CLI draws the command in a box inside the dialog's box) leave several borders per side.
    private static string Clean(string line) => line.Trim().Trim(' ', '│', '|', '╭', '╮', '╰', '╯');

    private static bool IsRule(string line) => line.All(c => c is '─' or '╌' or '━' or '═' or '-' or ' ');
}
