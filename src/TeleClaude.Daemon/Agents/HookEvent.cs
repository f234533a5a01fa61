using System.Text.Json;

namespace TeleClaude.Daemon.Agents;

/// <summary>What an agent's hook said happened, in the daemon's terms.</summary>
internal enum HookEventKind
{
    /// <summary>The agent started (or resumed) and waits for its first instruction.</summary>
    SessionStart,

    /// <summary>The user submitted a prompt: the agent works.</summary>
    PromptSubmitted,

    /// <summary>The agent is about to use a tool, or just used one: it works.</summary>
    ToolUse,

    /// <summary>The agent asks permission to use a tool: it waits for the user.</summary>
    PermissionRequest,

    /// <summary>The agent notifies the user; a permission prompt means it waits.</summary>
    Notification,

    /// <summary>The agent finished its turn.</summary>
    Stop,

    /// <summary>The agent's session ended.</summary>
    SessionEnd,

    /// <summary>An event the daemon does not act on.</summary>
    Other,
}

/// <summary>One hook event, parsed from the agent's JSON.</summary>
internal sealed record HookEvent(
    HookEventKind Kind,
    string Name,
    string? TranscriptPath = null,
    string? Prompt = null,
    string? Text = null,
    string? NotificationType = null,
    string? Reason = null,
    string? Subject = null)
{
    private const int MaxTextLength = 2000;

    /// <summary>Claude Code's hook payload (<c>hook_event_name</c> plus the event's fields); null when it is not one.</summary>
    public static HookEvent? FromClaude(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || String(root, "hook_event_name") is not { } name)
        {
            return null;
        }

        var transcript = String(root, "transcript_path");
        return name switch
        {
            "SessionStart" => new(HookEventKind.SessionStart, name, transcript),
            "UserPromptSubmit" => new(HookEventKind.PromptSubmitted, name, transcript, Prompt: Cut(String(root, "prompt"))),
            "PreToolUse" or "PostToolUse" => new(HookEventKind.ToolUse, name, transcript),
            "PermissionRequest" => new(HookEventKind.PermissionRequest, name, transcript, Text: DescribeTool(root), Subject: ToolSubject(root)),
            "Notification" => new(HookEventKind.Notification, name, transcript, Text: Cut(String(root, "message")), NotificationType: String(root, "notification_type")),
            "Stop" => new(HookEventKind.Stop, name, transcript, Text: Cut(String(root, "last_assistant_message"))),
            "SessionEnd" => new(HookEventKind.SessionEnd, name, transcript, Reason: String(root, "reason")),
            _ => new(HookEventKind.Other, name, transcript),
        };
    }

    /// <summary>
    /// Codex's notify payload (<c>type</c> <c>agent-turn-complete</c>); null when it is not one. Codex (0.169) also calls
    /// notify for the hidden thread in which it has the model name the session after the first prompt, usually while the
    /// session's own turn still runs (or waits for an approval): that one is no turn of the session and counts as Other.
    /// </summary>
    public static HookEvent? FromCodex(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || String(root, "type") is not { } type)
        {
            return null;
        }

        return type == "agent-turn-complete" && !IsCodexTitleThread(root)
            ? new(HookEventKind.Stop, type, Text: Cut(String(root, "last-assistant-message")))
            : new(HookEventKind.Other, type);
    }

    /// <summary>
    /// Gemini CLI's hook payload (<c>hook_event_name</c> plus the event's fields, as its command hooks get it on stdin);
    /// null when it is not one. Its transcript (a JSONL chat log of another shape than Claude Code's) is not taken.
    /// </summary>
    public static HookEvent? FromGemini(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || String(root, "hook_event_name") is not { } name)
        {
            return null;
        }

        return name switch
        {
            "SessionStart" => new(HookEventKind.SessionStart, name),
            "BeforeAgent" => new(HookEventKind.PromptSubmitted, name, Prompt: Cut(String(root, "prompt"))),
            "BeforeTool" or "AfterTool" => new(HookEventKind.ToolUse, name),
            // Fired as the confirmation dialog opens (the only permission signal Gemini CLI gives a hook).
            "Notification" when String(root, "notification_type") == "ToolPermission" =>
                new(HookEventKind.PermissionRequest, name, Text: DescribeGeminiConfirmation(root), Subject: GeminiSubject(root)),
            "Notification" => new(HookEventKind.Notification, name, Text: Cut(String(root, "message")), NotificationType: String(root, "notification_type")),
            "AfterAgent" => new(HookEventKind.Stop, name, Text: Cut(String(root, "prompt_response"))),
            "SessionEnd" => new(HookEventKind.SessionEnd, name, Reason: String(root, "reason")),
            _ => new(HookEventKind.Other, name),
        };
    }

    /// <summary>What a Gemini confirmation is about: the command, the file, the MCP tool or the fetched prompt.</summary>
    private static string? GeminiWhat(JsonElement details) =>
        String(details, "command")
        ?? String(details, "fileName")
        ?? String(details, "toolDisplayName") ?? String(details, "toolName")
        ?? String(details, "prompt");

    /// <summary>"Confirm Shell Command: touch x.txt": the dialog's title and what it would do.</summary>
    private static string DescribeGeminiConfirmation(JsonElement root)
    {
        if (!root.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Object)
        {
            return Cut(String(root, "message")) ?? "Permission requested";
        }

        var title = String(details, "title") ?? "Confirm tool";
        return Cut(GeminiWhat(details) is { } what ? $"{title}: {what}" : String(root, "message") ?? title)!;
    }

    private static string? GeminiSubject(JsonElement root) =>
        root.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object && GeminiWhat(details)?.Split('\n')[0] is { Length: > 0 } first
            ? first[..Math.Min(first.Length, 60)]
            : null;

    /// <summary>Codex's title-generation turn: its one input is Codex's own instruction to title the user's prompt.</summary>
    private static bool IsCodexTitleThread(JsonElement root) =>
        root.TryGetProperty("input-messages", out var inputs) && inputs.ValueKind == JsonValueKind.Array && inputs.GetArrayLength() == 1
        && inputs[0].ValueKind == JsonValueKind.String
        && inputs[0].GetString()!.StartsWith(CodexTitleInstruction, StringComparison.Ordinal);

    /// <summary>How Codex's title request begins (codex-rs tui thread_title.rs).</summary>
    private const string CodexTitleInstruction = "Generate a concise, single-line task title";

    /// <summary>What a tool call acts on (its command, file, url or pattern), as its dialog shows it; null when unknown.</summary>
    private static string? ToolSubject(JsonElement root)
    {
        if (!root.TryGetProperty("tool_input", out var input) || input.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var what = String(input, "command") ?? String(input, "file_path") ?? String(input, "path") ?? String(input, "url") ?? String(input, "pattern");
        // The dialog wraps long subjects; its first line is enough to tell this dialog from an earlier one.
        return what?.Split('\n')[0] is { Length: > 0 } first ? first[..Math.Min(first.Length, 60)] : null;
    }

    /// <summary>"Bash: touch x.txt (Create a file)": the tool and what it would do, as the permission question's text.</summary>
    private static string DescribeTool(JsonElement root)
    {
        var tool = String(root, "tool_name") ?? "a tool";
        if (!root.TryGetProperty("tool_input", out var input) || input.ValueKind != JsonValueKind.Object)
        {
            return $"Allow {tool}?";
        }

        var what = String(input, "command") ?? String(input, "file_path") ?? String(input, "path") ?? String(input, "url") ?? String(input, "pattern");
        var why = String(input, "description");
        var detail = what ?? input.GetRawText();
        return Cut($"{tool}: {detail}" + (why is null ? "" : $" ({why})"))!;
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Cut(string? text) => text is { Length: > MaxTextLength } ? text[..MaxTextLength] + "…" : text;
}
