using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// A stand-in for the Anthropic Messages API that the real Claude Code CLI talks to offline (ANTHROPIC_BASE_URL):
/// every streaming <c>POST /v1/messages</c> that carries tools (the agent's main loop) gets the next scripted turn
/// as the Messages API's SSE sequence; any other request (title generation, telemetry, quota checks) gets <c>{}</c>.
/// A <see cref="ScriptedTurn.Bash"/> turn is a <c>Bash</c> tool_use; in <c>--permission-mode default</c> Claude Code asks
/// the user first.
/// </summary>
internal sealed class ScriptedModelServer : ScriptedAgentServer
{
    private ScriptedModelServer(IEnumerable<ScriptedTurn> turns)
        : base(turns)
    {
    }

    public static Task<ScriptedModelServer> StartAsync(params ScriptedTurn[] turns) => StartServerAsync(new ScriptedModelServer(turns));

    protected override void MapRoutes(WebApplication app)
    {
        app.MapPost("/v1/messages", HandleAsync);
        app.MapFallback(context => context.Response.WriteAsJsonAsync(new JsonObject()));
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        if (body is null || body["stream"]?.GetValue<bool>() != true || body["tools"] is not JsonArray { Count: > 0 })
        {
            await context.Response.WriteAsJsonAsync(new JsonObject(), context.RequestAborted);
            return;
        }

        RecordToolResults(body);
        var (turn, index) = NextTurn();
        context.Response.ContentType = "text/event-stream";
        var model = body["model"]?.GetValue<string>() ?? "claude-test";
        var events = new List<(string Name, JsonObject Data)>
        {
            ("message_start", new JsonObject
            {
                ["type"] = "message_start",
                ["message"] = new JsonObject
                {
                    ["id"] = $"msg_{index}", ["type"] = "message", ["role"] = "assistant", ["model"] = model,
                    ["content"] = new JsonArray(), ["stop_reason"] = null, ["stop_sequence"] = null,
                    ["usage"] = new JsonObject { ["input_tokens"] = 1, ["output_tokens"] = 1 },
                },
            }),
        };
        if (turn.BashCommand is { } command)
        {
            events.Add(("content_block_start", new JsonObject
            {
                ["type"] = "content_block_start", ["index"] = 0,
                ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = $"toolu_{index}", ["name"] = "Bash", ["input"] = new JsonObject() },
            }));
            var input = new JsonObject { ["command"] = command, ["description"] = turn.Description ?? "Run a command" }.ToJsonString();
            events.Add(("content_block_delta", new JsonObject
            {
                ["type"] = "content_block_delta", ["index"] = 0,
                ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = input },
            }));
        }
        else
        {
            events.Add(("content_block_start", new JsonObject
            {
                ["type"] = "content_block_start", ["index"] = 0,
                ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" },
            }));
            events.Add(("content_block_delta", new JsonObject
            {
                ["type"] = "content_block_delta", ["index"] = 0,
                ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = turn.Text ?? "" },
            }));
        }

        events.Add(("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 }));
        events.Add(("message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = turn.BashCommand is null ? "end_turn" : "tool_use", ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = 5 },
        }));
        events.Add(("message_stop", new JsonObject { ["type"] = "message_stop" }));

        var sse = new StringBuilder();
        foreach (var (name, data) in events)
        {
            sse.Append("event: ").Append(name).Append('\n').Append("data: ").Append(data.ToJsonString()).Append("\n\n");
        }

        await context.Response.WriteAsync(sse.ToString(), context.RequestAborted);
    }

    private void RecordToolResults(JsonObject body)
    {
        if (body["messages"] is not JsonArray messages || messages.LastOrDefault() is not JsonObject last || last["content"] is not JsonArray content)
        {
            return;
        }

        foreach (var block in content.OfType<JsonObject>().Where(b => b["type"]?.GetValue<string>() == "tool_result"))
        {
            ToolResults.Enqueue(block["content"]?.ToJsonString(new JsonSerializerOptions()) ?? "");
        }
    }
}
