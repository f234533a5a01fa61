using System.Text.Json;
using TeleClaude.Daemon.Agents;

namespace TeleClaude.Daemon.Tests.Agents;

/// <summary>Gemini CLI 0.61's hook payloads, as its command hooks got them on stdin here (ids and paths shortened).</summary>
[TestFixture]
[CancelAfter(10_000)]
internal sealed class GeminiHookEventUnitTests
{
    private const string Base = """
        "session_id":"4b539a74-aaa0-427b-8bcc-e069587b5d36","transcript_path":"/h/.gemini/tmp/proj/chats/session-2026-11-26T09-52-4b539a74.jsonl",
        "cwd":"/tmp/gemini/proj","timestamp":"2026-11-26T09:53:07.406Z",
        """;

    [Test]
    public void FromGemini_SessionStart_IsStart()
    {
        Assert.That(Gemini(Payload("""{"hook_event_name":"SessionStart","source":"startup"}""")), Is.EqualTo(new HookEvent(HookEventKind.SessionStart, "SessionStart")));
    }

    [Test]
    public void FromGemini_BeforeAgent_IsThePromptSubmitted()
    {
        Assert.That(
            Gemini(Payload("""{"hook_event_name":"BeforeAgent","prompt":"please create the marker file"}""")),
            Is.EqualTo(new HookEvent(HookEventKind.PromptSubmitted, "BeforeAgent", Prompt: "please create the marker file")));
    }

    [TestCase("BeforeTool")]
    [TestCase("AfterTool")]
    public void FromGemini_ToolHooks_AreToolUse(string name)
    {
        var hook = Gemini(Payload("""
            {"hook_event_name":"NAME","tool_name":"run_shell_command",
             "tool_input":{"command":"touch made-by-gemini.txt","description":"Create the marker file"},
             "tool_response":{"llmContent":"Output: (empty)"}}
            """.Replace("NAME", name, StringComparison.Ordinal)));

        Assert.That(hook, Is.EqualTo(new HookEvent(HookEventKind.ToolUse, name)));
    }

    [Test]
    public void FromGemini_ToolPermissionNotification_IsPermissionRequest_WithTheDialogsTitleAndCommand()
    {
        var hook = Gemini(Payload("""
            {"hook_event_name":"Notification","notification_type":"ToolPermission","message":"Tool Confirm Shell Command requires execution",
             "details":{"type":"exec","title":"Confirm Shell Command","command":"touch made-by-gemini.txt","rootCommand":"touch"}}
            """));

        Assert.That(hook, Is.EqualTo(new HookEvent(HookEventKind.PermissionRequest, "Notification",
            Text: "Confirm Shell Command: touch made-by-gemini.txt", Subject: "touch made-by-gemini.txt")));
    }

    [Test]
    public void FromGemini_EditPermission_NamesTheFile()
    {
        var hook = Gemini(Payload("""
            {"hook_event_name":"Notification","notification_type":"ToolPermission","message":"Tool Edit requires editing",
             "details":{"type":"edit","title":"Edit","fileName":"notes.txt","filePath":"/p/notes.txt","fileDiff":"@@ -1 +1 @@","isModifying":false}}
            """));

        Assert.That(hook!.Kind, Is.EqualTo(HookEventKind.PermissionRequest));
        Assert.That(hook.Text, Is.EqualTo("Edit: notes.txt"));
        Assert.That(hook.Subject, Is.EqualTo("notes.txt"));
    }

    [Test]
    public void FromGemini_PermissionWithoutDetails_KeepsItsMessage()
    {
        var hook = Gemini(Payload("""{"hook_event_name":"Notification","notification_type":"ToolPermission","message":"Tool requires confirmation"}"""));

        Assert.That(hook, Is.EqualTo(new HookEvent(HookEventKind.PermissionRequest, "Notification", Text: "Tool requires confirmation")));
    }

    [Test]
    public void FromGemini_OtherNotification_IsANotificationThatAsksNothing()
    {
        var hook = Gemini(Payload("""{"hook_event_name":"Notification","notification_type":"Error","message":"quota"}"""));

        Assert.That(hook, Is.EqualTo(new HookEvent(HookEventKind.Notification, "Notification", Text: "quota", NotificationType: "Error")));
    }

    [Test]
    public void FromGemini_AfterAgent_IsStopWithTheResponseAsLastMessage()
    {
        var hook = Gemini(Payload("""{"hook_event_name":"AfterAgent","prompt":"please create the marker file","prompt_response":"All done: the file is there.","stop_hook_active":false}"""));

        Assert.That(hook, Is.EqualTo(new HookEvent(HookEventKind.Stop, "AfterAgent", Text: "All done: the file is there.")));
    }

    [Test]
    public void FromGemini_SessionEnd_CarriesTheReason()
    {
        Assert.That(
            Gemini(Payload("""{"hook_event_name":"SessionEnd","reason":"exit"}""")),
            Is.EqualTo(new HookEvent(HookEventKind.SessionEnd, "SessionEnd", Reason: "exit")));
    }

    [TestCase("BeforeModel")]
    [TestCase("AfterModel")]
    [TestCase("PreCompress")]
    [TestCase("BeforeToolSelection")]
    public void FromGemini_EventsTheDaemonDoesNotActOn_AreOther(string name) =>
        Assert.That(Gemini(Payload("""{"hook_event_name":"NAME"}""".Replace("NAME", name, StringComparison.Ordinal)))!.Kind, Is.EqualTo(HookEventKind.Other));

    [Test]
    public void FromGemini_NeverTakesTheTranscript_ItIsNotClaudesFormat() =>
        Assert.That(Gemini(Payload("""{"hook_event_name":"AfterAgent","prompt_response":"x"}"""))!.TranscriptPath, Is.Null);

    [TestCase("""{"hello":"world"}""")]
    [TestCase("""{"hook_event_name":42}""")]
    [TestCase("[1,2]")]
    public void FromGemini_NotAHookPayload_IsNull(string json) => Assert.That(Gemini(json), Is.Null);

    [Test]
    public void FromGemini_LongResponse_IsCut()
    {
        var hook = Gemini(JsonSerializer.Serialize(new Dictionary<string, string> { ["hook_event_name"] = "AfterAgent", ["prompt_response"] = new string('x', 5000) }));

        Assert.That(hook!.Text!.Length, Is.LessThan(2100));
    }

    /// <summary>The fields every payload has, then <paramref name="json"/>'s own.</summary>
    private static string Payload(string json) => "{" + Base + json.Trim()[1..];

    private static HookEvent? Gemini(string json)
    {
        using var document = JsonDocument.Parse(json);
        return HookEvent.FromGemini(document.RootElement);
    }
}
