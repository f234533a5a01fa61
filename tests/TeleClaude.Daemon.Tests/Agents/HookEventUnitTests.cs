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

    [Test]
    public void FromCodex_TitleThreadTurn_IsOther()
    {
        // As Codex 0.169 called notify (captured here), for the hidden thread that titles the session, while the
        // session's own turn waited for an approval.
        using var document = JsonDocument.Parse("""
            {"type":"agent-turn-complete","thread-id":"01a21745-b233-7fb3-94f0-76befab4e507","turn-id":"01a21745-b24b-7c62-8f0e-6882c61d74f3","cwd":"/tmp/codex/proj","client":"codex-tui","input-messages":["Generate a concise, single-line task title of at most 36 characters and under five words where possible. Start with an imperative verb. Capitalize only the first word unless the user's language, proper nouns, acronyms, or code terms require otherwise. Preserve ticket references exactly. Write in the user's language. Do not use quotes, markdown, or trailing punctuation. Do not answer the request.\n\nUser prompt:\nplease create the marker file"],"last-assistant-message":"{\"title\": \"Create marker file\"}"}
            """);

        Assert.That(HookEvent.FromCodex(document.RootElement), Is.EqualTo(new HookEvent(HookEventKind.Other, "agent-turn-complete")));
    }

    [Test]
    public void FromCodex_SessionTurnAsCodexSendsIt_IsStopWithTheLastMessage()
    {
        using var document = JsonDocument.Parse("""
            {"type":"agent-turn-complete","thread-id":"01a21745-9f7a-73b0-bfd9-c79be6f9b943","turn-id":"01a21745-b218-7672-91aa-2f3b5a5cc7b5","cwd":"/tmp/codex/proj","client":"codex-tui","input-messages":["please create the marker file"],"last-assistant-message":"All done: the file is there."}
            """);

        Assert.That(HookEvent.FromCodex(document.RootElement), Is.EqualTo(new HookEvent(HookEventKind.Stop, "agent-turn-complete", Text: "All done: the file is there.")));
    }

    private static HookEvent? Claude(string json)
    {
        using var document = JsonDocument.Parse(json);
        return HookEvent.FromClaude(document.RootElement);
    }
}
