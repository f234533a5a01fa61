using System.Globalization;

namespace TeleClaude.LoadHarness;

/// <summary>
/// The <c>--flag value</c> pairs one harness mode accepts: each flag names its range (or check) and what to do with a
/// good value. Every mode parses the same way: a flag it does not know, a missing value or one out of range is a bad
/// argument, reported with the flag's own hint when it has one, otherwise the mode's.
/// </summary>
internal sealed class HarnessFlags(string hint)
{
    private readonly Dictionary<string, Flag> _flags = new(StringComparer.Ordinal);

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public HarnessFlags Int(string name, int min, int max, Action<int> set, string? hint = null) =>
        Add(name, hint, value =>
        {
            if (!TryInt(value, min, max, out var parsed))
            {
                return false;
            }

            set(parsed);
            return true;
        });

    /// <summary>A comma-separated list of whole numbers, each from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public HarnessFlags IntList(string name, int min, int max, Action<IReadOnlyList<int>> set, string? hint = null) =>
        Add(name, hint, value =>
        {
            if (!TryIntList(value, min, max, out var parsed))
            {
                return false;
            }

            set(parsed);
            return true;
        });

    /// <summary>The path of a file that exists, made absolute.</summary>
    public HarnessFlags ExistingFile(string name, Action<string> set, string? hint = null) =>
        Add(name, hint, value =>
        {
            if (!File.Exists(value))
            {
                return false;
            }

            set(Path.GetFullPath(value));
            return true;
        });

    /// <summary>
    /// Applies the flags that follow the mode name (<c>args[0]</c>); false with the first bad argument and the hint
    /// to show for it.
    /// </summary>
    public bool TryParse(string[] args, out string badArgument, out string badHint)
    {
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : "";
            if (!_flags.TryGetValue(args[i], out var flag) || !flag.Apply(value))
            {
                badArgument = args[i];
                badHint = flag?.Hint ?? hint;
                return false;
            }

            i++;
        }

        badArgument = badHint = "";
        return true;
    }

    private HarnessFlags Add(string name, string? flagHint, Func<string, bool> apply)
    {
        _flags.Add(name, new Flag(apply, flagHint));
        return this;
    }

    private static bool TryIntList(string text, int min, int max, out IReadOnlyList<int> values)
    {
        var parsed = new List<int>();
        values = parsed;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!TryInt(part, min, max, out var value))
            {
                return false;
            }

            parsed.Add(value);
        }

        return parsed.Count > 0;
    }

    private static bool TryInt(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private sealed record Flag(Func<string, bool> Apply, string? Hint);
}
