using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>
/// A stand-in for the Gemini API (generativelanguage v1beta) that the real Gemini CLI talks to offline
/// (<c>GOOGLE_GEMINI_BASE_URL</c>). What Gemini CLI 0.61 asked for here: <c>POST /v1beta/models/M:streamGenerateContent?alt=sse</c>
/// carrying <c>tools</c> (the agent's main loop) gets the next <see cref="ScriptedTurn"/> as one SSE chunk of a
/// GenerateContentResponse: text, or a <c>run_shell_command</c> functionCall (a <see cref="ScriptedTurn.Bash"/> turn), which
/// raises its confirmation dialog; <c>POST .../M:generateContent</c> (its model router and next-speaker checks, which
/// want JSON) gets a JSON text that satisfies them; anything else gets <c>{}</c>. Runs on Kestrel on a free loopback port;
/// <see cref="ScriptedAgentServer.BaseUrl"/> goes into GOOGLE_GEMINI_BASE_URL.
/// </summary>
internal sealed class ScriptedGeminiServer : ScriptedAgentServer
{
    /// <summary>One JSON text for every structured side question Gemini CLI asks (router, classifier, next speaker).</summary>
    private const string SideAnswer =
        """{"reasoning":"scripted","model_choice":"pro","complexity_reasoning":"scripted","complexity_score":100,"next_speaker":"user"}""";

    private ScriptedGeminiServer(IEnumerable<ScriptedTurn> turns)
        : base(turns)
    {
    }

    /// <summary>Every request's method, path and query, in order (what Gemini CLI asked for, for a failing test's message).</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static Task<ScriptedGeminiServer> StartAsync(params ScriptedTurn[] turns) => StartServerAsync(new ScriptedGeminiServer(turns));

    // Every request, not MapFallback: its route skips paths that look like files, and model names have dots.
    protected override void MapRoutes(WebApplication app) => app.Run(HandleAsync);

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        Requests.Enqueue($"{context.Request.Method} {path}{context.Request.QueryString}");
        if (!HttpMethods.IsPost(context.Request.Method) || !path.StartsWith("/v1beta/models/", StringComparison.Ordinal))
        {
            await context.Response.WriteAsJsonAsync(new JsonObject(), context.RequestAborted);
            return;
        }

        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        if (path.EndsWith(":generateContent", StringComparison.Ordinal))
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Response(new JsonObject { ["text"] = SideAnswer }).ToJsonString(), context.RequestAborted);
            return;
        }

        if (!path.EndsWith(":streamGenerateContent", StringComparison.Ordinal))
        {
            await context.Response.WriteAsJsonAsync(new JsonObject(), context.RequestAborted);
            return;
        }

        JsonObject part;
        if (body?["tools"] is JsonArray { Count: > 0 })
        {
            RecordToolResults(body);
            var (turn, _) = NextTurn();
            part = turn.BashCommand is { } command
                ? new JsonObject
                {
                    ["functionCall"] = new JsonObject
                    {
                        ["name"] = "run_shell_command",
                        ["args"] = new JsonObject { ["command"] = command, ["description"] = turn.Description ?? "Run a command" },
                    },
                }
                : new JsonObject { ["text"] = turn.Text ?? "" };
        }
        else
        {
            part = new JsonObject { ["text"] = "ok" };
        }

        context.Response.ContentType = "text/event-stream";
        var sse = new StringBuilder().Append("data: ").Append(Response(part).ToJsonString()).Append("\r\n\r\n");
        await context.Response.WriteAsync(sse.ToString(), context.RequestAborted);
    }

    private static JsonObject Response(JsonObject part) => new()
    {
        ["candidates"] = new JsonArray(new JsonObject
        {
            ["content"] = new JsonObject { ["role"] = "model", ["parts"] = new JsonArray(part) },
            ["finishReason"] = "STOP",
            ["index"] = 0,
        }),
        ["usageMetadata"] = new JsonObject { ["promptTokenCount"] = 5, ["candidatesTokenCount"] = 5, ["totalTokenCount"] = 10 },
        ["modelVersion"] = "gemini-test",
    };

    private void RecordToolResults(JsonObject body)
    {
        if (body["contents"] is not JsonArray contents || contents.LastOrDefault() is not JsonObject last || last["parts"] is not JsonArray parts)
        {
            return;
        }

        foreach (var response in parts.OfType<JsonObject>().Select(p => p["functionResponse"]).OfType<JsonObject>())
        {
            ToolResults.Enqueue(response.ToJsonString());
        }
    }
}
