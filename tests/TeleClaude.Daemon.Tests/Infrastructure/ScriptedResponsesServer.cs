using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// A stand-in for the OpenAI Responses API that the real Codex CLI talks to offline (a custom model provider whose
/// <c>base_url</c> is <see cref="ScriptedAgentServer.BaseUrl"/>). Every streaming <c>POST /v1/responses</c> that carries tools (the agent's
/// main loop) gets the next <see cref="ScriptedTurn"/> as the Responses API's SSE sequence: text as an assistant
/// <c>message</c> item, or a Bash turn as an <c>exec_command</c> <c>function_call</c> that asks to run outside the sandbox
/// (<c>sandbox_permissions: require_escalated</c>), which makes Codex ask the user first. A request without tools is
/// Codex's hidden title-generation thread: it gets a title and does not use up a turn. Runs on Kestrel on a free
/// loopback port; <see cref="ScriptedAgentServer.BaseUrl"/> is the provider's base URL for Codex's config (it appends
/// <c>/responses</c>), and title requests are not counted in <see cref="ScriptedAgentServer.TurnsServed"/>.
/// </summary>
internal sealed class ScriptedResponsesServer : ScriptedAgentServer
{
    private int _titles;

    private ScriptedResponsesServer(IEnumerable<ScriptedTurn> turns)
        : base(turns)
    {
    }

    /// <summary>Title-generation requests answered so far.</summary>
    public int TitlesServed => Volatile.Read(ref _titles);

    /// <summary>The user's prompt of every request that started a turn (its last input item was the user's message), in order.</summary>
    public ConcurrentQueue<string> Prompts { get; } = new();

    protected override string BaseUrlSuffix => "/v1";

    public static Task<ScriptedResponsesServer> StartAsync(params ScriptedTurn[] turns) => StartServerAsync(new ScriptedResponsesServer(turns));

    protected override void MapRoutes(WebApplication app)
    {
        app.MapPost("/v1/responses", HandleAsync);
        app.MapFallback(context => context.Response.WriteAsJsonAsync(new JsonObject()));
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        if (body is null || body["stream"]?.GetValue<bool>() != true)
        {
            await context.Response.WriteAsJsonAsync(new JsonObject(), context.RequestAborted);
            return;
        }

        ScriptedTurn turn;
        int index;
        if (body["tools"] is not JsonArray { Count: > 0 })
        {
            // The title thread asks for JSON matching {"title": string}.
            index = 1000 + Interlocked.Increment(ref _titles);
            turn = ScriptedTurn.Say(new JsonObject { ["title"] = "Scripted title" }.ToJsonString());
        }
        else
        {
            Record(body);
            (turn, index) = NextTurn();
        }

        JsonObject item = turn.BashCommand is { } command
            ? new JsonObject
            {
                ["type"] = "function_call", ["id"] = $"fc_{index}", ["call_id"] = $"call_{index}", ["name"] = "exec_command",
                ["arguments"] = new JsonObject
                {
                    ["cmd"] = command,
                    ["sandbox_permissions"] = "require_escalated",
                    ["justification"] = turn.Description ?? "Run a command",
                }.ToJsonString(),
            }
            : new JsonObject
            {
                ["type"] = "message", ["id"] = $"msg_{index}", ["role"] = "assistant", ["status"] = "completed",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = turn.Text ?? "", ["annotations"] = new JsonArray() }),
            };
        var events = new List<JsonObject>
        {
            new() { ["type"] = "response.created", ["response"] = new JsonObject { ["id"] = $"resp_{index}" } },
        };
        if (turn.BashCommand is null)
        {
            events.Add(new() { ["type"] = "response.output_item.added", ["output_index"] = 0, ["item"] = new JsonObject { ["type"] = "message", ["id"] = $"msg_{index}", ["role"] = "assistant", ["content"] = new JsonArray() } });
            events.Add(new() { ["type"] = "response.output_text.delta", ["item_id"] = $"msg_{index}", ["output_index"] = 0, ["content_index"] = 0, ["delta"] = turn.Text ?? "" });
        }
        else
        {
            events.Add(new() { ["type"] = "response.output_item.added", ["output_index"] = 0, ["item"] = item.DeepClone() });
        }

        events.Add(new() { ["type"] = "response.output_item.done", ["output_index"] = 0, ["item"] = item });
        events.Add(new()
        {
            ["type"] = "response.completed",
            ["response"] = new JsonObject
            {
                ["id"] = $"resp_{index}",
                ["usage"] = new JsonObject { ["input_tokens"] = 1, ["output_tokens"] = 1, ["total_tokens"] = 2 },
            },
        });

        var sse = new StringBuilder();
        foreach (var data in events)
        {
            sse.Append("event: ").Append(data["type"]!.GetValue<string>()).Append('\n').Append("data: ").Append(data.ToJsonString()).Append("\n\n");
        }

        context.Response.ContentType = "text/event-stream";
        await context.Response.WriteAsync(sse.ToString(), context.RequestAborted);
    }

    private void Record(JsonObject body)
    {
        if (body["input"] is not JsonArray input)
        {
            return;
        }

        if (input.LastOrDefault() is JsonObject last && last["role"]?.GetValue<string>() == "user" && last["content"] is JsonArray content)
        {
            Prompts.Enqueue(string.Concat(content.OfType<JsonObject>().Select(c => c["text"]?.GetValue<string>() ?? "")));
        }

        // Each request carries the whole conversation: only the function_call_outputs at its end are new.
        foreach (var output in input.OfType<JsonObject>().Reverse().TakeWhile(i => i["type"]?.GetValue<string>() == "function_call_output").Reverse())
        {
            ToolResults.Enqueue(output["output"]?.ToJsonString() ?? "");
        }
    }
}
