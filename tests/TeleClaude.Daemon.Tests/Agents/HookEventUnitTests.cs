using System.Text.Json;
using TeleClaude.Daemon.Agents;

namespace TeleClaude.Daemon.Tests.Agents;

[TestFixture]
[CancelAfter(10_000)]
internal sealed class HookEventUnitTests
{
    [Test]
    public void FromClaude_PermissionRequest_DescribesTheToolAndNamesItsSubject()
    {
        var hook = Claude("""
            {"session_id":"s","transcript_path":"/h/.claude/projects/p/s.jsonl","cwd":"/p","hook_event_name":"PermissionRequest",
             "tool_name":"Bash","tool_input":{"command":"touch made-by-tool.txt","description":"Say hi"},
             "permission_suggestions":[{"type":"setMode","mode":"acceptEdits","destination":"session"}]}
            """);

        Assert.That(hook, Is.EqualTo(new HookEvent(HookEventKind.PermissionRequest, "PermissionRequest", "/h/.claude/projects/p/s.jsonl",
            Text: "Bash: touch made-by-tool.txt (Say hi)", Subject: "touch made-by-tool.txt")));
    }

    [TestCase("""{"hook_event_name":"SessionStart","source":"startup"}""", HookEventKind.SessionStart)]
    [TestCase("""{"hook_event_name":"UserPromptSubmit","prompt":"please run it"}""", HookEventKind.PromptSubmitted)]
    [TestCase("""{"hook_event_name":"PreToolUse","tool_name":"Bash"}""", HookEventKind.ToolUse)]
    [TestCase("""{"hook_event_name":"PostToolUse","tool_name":"Bash"}""", HookEventKind.ToolUse)]
    [TestCase("""{"hook_event_name":"Notification","message":"Claude needs your permission","notification_type":"permission_prompt"}""", HookEventKind.Notification)]
    [TestCase("""{"hook_event_name":"Stop","last_assistant_message":"All done."}""", HookEventKind.Stop)]
    [TestCase("""{"hook_event_name":"SessionEnd","reason":"prompt_input_exit"}""", HookEventKind.SessionEnd)]
    [TestCase("""{"hook_event_name":"SubagentStop"}""", HookEventKind.Other)]
    public void FromClaude_MapsEachEvent(string json, HookEventKind kind) => Assert.That(Claude(json)!.Kind, Is.EqualTo(kind));

    [Test]
    public void FromClaude_CarriesWhatTheStatusNeeds()
    {
        Assert.That(Claude("""{"hook_event_name":"Stop","last_assistant_message":"All done."}""")!.Text, Is.EqualTo("All done."));
        Assert.That(Claude("""{"hook_event_name":"UserPromptSubmit","prompt":"go"}""")!.Prompt, Is.EqualTo("go"));
        Assert.That(Claude("""{"hook_event_name":"SessionEnd","reason":"clear"}""")!.Reason, Is.EqualTo("clear"));
        var long_ = Claude($$"""{"hook_event_name":"Stop","last_assistant_message":"{{new string('x', 5000)}}"}""")!.Text!;
        Assert.That(long_, Has.Length.EqualTo(2001).And.EndsWith("…"), "long texts are cut");
    }

    [TestCase("""{"hello":"world"}""")]
    [TestCase("""{"hook_event_name":42}""")]
    [TestCase("[1,2]")]
    [TestCase("\"Stop\"")]
    public void FromClaude_NotAHookPayload_IsNull(string json) => Assert.That(Claude(json), Is.Null);

    [Test]
    public void FromCodex_TurnComplete_IsStopWithTheLastMessage()
    {
        using var document = JsonDocument.Parse("""{"type":"agent-turn-complete","turn-id":"1","input-messages":["fix"],"last-assistant-message":"Fixed."}""");

        Assert.That(HookEvent.FromCodex(document.RootElement), Is.EqualTo(new HookEvent(HookEventKind.Stop, "agent-turn-complete", Text: "Fixed.")));
    }

    private static HookEvent? Claude(string json)
    {
        using var document = JsonDocument.Parse(json);
        return HookEvent.FromClaude(document.RootElement);
    }
}
