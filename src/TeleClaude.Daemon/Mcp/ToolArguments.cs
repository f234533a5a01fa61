using System.Globalization;
using System.Text.Json;

namespace TeleClaude.Daemon.Mcp;

/// <summary>
/// Checks a tool call's arguments against the tool's input schema (which the SDK derives from the method's
/// parameters and their attributes) before the SDK binds them, so a bad argument is answered with its name and
/// the problem instead of the binder's "An error occurred invoking". The schemas are flat objects of scalars;
/// <see cref="SupportedKeywords"/> lists every keyword checked, and a unit test keeps the tools within them.
/// </summary>
internal static class ToolArguments
{
    /// <summary>The schema keywords this check understands (the annotations among them need no check).</summary>
    public static readonly IReadOnlySet<string> SupportedKeywords = new HashSet<string>(StringComparer.Ordinal)
    {
        "type", "properties", "required", "description", "default", "title", "minimum", "maximum", "minLength", "maxLength", "enum",
    };

    /// <summary>What is wrong with <paramref name="arguments"/>, one sentence per problem that starts with the argument's name; empty when nothing is.</summary>
    public static IReadOnlyList<string> Problems(string tool, JsonElement schema, IReadOnlyDictionary<string, JsonElement>? arguments)
    {
        var problems = new List<string>();
        arguments ??= new Dictionary<string, JsonElement>();
        var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        var names = properties.ValueKind == JsonValueKind.Object ? properties.EnumerateObject().Select(o => o.Name).ToArray() : [];

        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            var requiredNames = required.EnumerateArray().Select(r => r.GetString()!).ToArray();
            foreach (var name in requiredNames.Where(n => !arguments.ContainsKey(n)))
            {
                problems.Add($"{name} is missing; {tool} needs {List(requiredNames)}.");
            }
        }

        foreach (var (name, value) in arguments)
        {
            if (properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty(name, out var property))
            {
                problems.Add(names.Length == 0
                    ? $"{name} is not an argument of {tool}; it takes none."
                    : $"{name} is not an argument of {tool}; it takes {List(names)}.");
                continue;
            }

            if (Check(property, value) is { } problem)
            {
                problems.Add($"{name} {problem}");
            }
        }

        return problems;
    }

    private static string? Check(JsonElement property, JsonElement value)
    {
        if (property.TryGetProperty("type", out var type))
        {
            var allowed = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToArray() : [type.GetString()!];
            if (!allowed.Any(t => IsOfType(value, t)))
            {
                return $"must be {string.Join(" or ", allowed.Select(Article))}; got {Describe(value)}.";
            }
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            var number = value.GetDouble();
            var hasMin = TryNumber(property, "minimum", out var min);
            var hasMax = TryNumber(property, "maximum", out var max);
            if ((hasMin && number < min) || (hasMax && number > max))
            {
                return hasMin && hasMax ? $"must be between {Format(min)} and {Format(max)}; got {value.GetRawText()}."
                    : hasMin ? $"must be at least {Format(min)}; got {value.GetRawText()}."
                    : $"must be at most {Format(max)}; got {value.GetRawText()}.";
            }
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var length = value.GetString()!.Length;
            if (TryNumber(property, "minLength", out var minLength) && length < minLength)
            {
                return $"must be at least {Format(minLength)} characters long; got {length}.";
            }

            if (TryNumber(property, "maxLength", out var maxLength) && length > maxLength)
            {
                return $"must be at most {Format(maxLength)} characters long; got {length}.";
            }
        }

        if (property.TryGetProperty("enum", out var choices) && choices.ValueKind == JsonValueKind.Array
            && !choices.EnumerateArray().Any(c => JsonElement.DeepEquals(c, value)))
        {
            return $"must be one of {List(choices.EnumerateArray().Select(c => c.GetRawText()).ToArray())}; got {Describe(value)}.";
        }

        return null;
    }

    private static bool IsOfType(JsonElement value, string type) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        _ => true,
    };

    private static string Article(string type) => type switch
    {
        "string" => "a string",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        "null" => "null",
        "object" => "an object",
        "array" => "an array",
        _ => type,
    };

    private static string Describe(JsonElement value)
    {
        var text = value.GetRawText();
        if (text.Length > 60)
        {
            text = text[..57] + "...";
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => $"the string {text}",
            JsonValueKind.Number => $"the number {text}",
            JsonValueKind.True or JsonValueKind.False => text,
            JsonValueKind.Null => "null",
            JsonValueKind.Array => $"an array {text}",
            JsonValueKind.Object => $"an object {text}",
            _ => text,
        };
    }

    private static bool TryNumber(JsonElement property, string keyword, out double value)
    {
        value = 0;
        return property.TryGetProperty(keyword, out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out value);
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string List(string[] items) =>
        items.Length <= 1 ? string.Join("", items) : string.Join(", ", items.Take(items.Length - 1)) + " and " + items[^1];
}
