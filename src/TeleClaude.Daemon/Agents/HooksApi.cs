using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Storage;

namespace TeleClaude.Daemon.Agents;

/// <summary>
/// <c>POST /hooks/{integration}</c>: where agents' hooks report (claude, codex, gemini). The input is untrusted: the session
/// must exist here, the secret must match the one its terminal was started with, and the body must be a bounded JSON
/// object of that integration. Every refusal is a problem that says why, and is counted.
/// </summary>
internal static partial class HooksApi
{
    public const string SessionHeader = "X-TeleClaude-Session";
    public const string SecretHeader = "X-TeleClaude-Secret";

    public static IEndpointRouteBuilder MapHooksApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/hooks/{integration}", Receive).WithTags("Agents");
        return routes;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Receive(
        string integration,
        HttpRequest request,
        SessionStore store,
        AgentStateTracker tracker,
        AgentCounters counters,
        IOptions<AgentHookOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(HooksApi).FullName!);
        if (integration is not (AgentIntegrationKinds.Claude or AgentIntegrationKinds.Codex or AgentIntegrationKinds.Gemini))
        {
            counters.HookMalformed();
            return Problem(StatusCodes.Status404NotFound, $"No hook integration '{integration}'; known: claude, codex, gemini.");
        }

        var sessionId = request.Headers[SessionHeader].ToString();
        if (sessionId.Length is 0 or > 64)
        {
            counters.HookMalformed();
            return Problem(StatusCodes.Status400BadRequest, $"The {SessionHeader} header must name the session (it comes from TELECLAUDE_SESSION_ID).");
        }

        var max = options.Value.MaxPayloadBytes;
        var body = request.ContentLength is > 0 && request.ContentLength > max ? null : await ReadAtMostAsync(request.Body, max, cancellationToken);
        if (body is null)
        {
            counters.HookOversized();
            LogRefused(logger, sessionId, "payload too large");
            return Problem(StatusCodes.Status413PayloadTooLarge, $"Hook payloads may be at most {max} bytes (TeleClaude:Hooks:MaxPayloadBytes).");
        }

        if (await store.GetAgentLinkAsync(sessionId, cancellationToken) is not { } link)
        {
            counters.HookUnknownSession();
            LogRefused(logger, sessionId, "unknown session");
            return Problem(StatusCodes.Status404NotFound, $"No session '{sessionId}' on this computer.");
        }

        if (!HookSecrets.Matches(request.Headers[SecretHeader].ToString(), link.HookSecretHash))
        {
            counters.HookBadSecret();
            LogRefused(logger, sessionId, "wrong secret");
            return Problem(StatusCodes.Status403Forbidden, $"The {SecretHeader} header does not match session '{sessionId}' (a session can only report for itself).");
        }

        HookEvent? hook;
        try
        {
            using var document = JsonDocument.Parse(body);
            hook = integration switch
            {
                AgentIntegrationKinds.Claude => HookEvent.FromClaude(document.RootElement),
                AgentIntegrationKinds.Gemini => HookEvent.FromGemini(document.RootElement),
                _ => HookEvent.FromCodex(document.RootElement),
            };
        }
        catch (JsonException ex)
        {
            counters.HookMalformed();
            LogRefused(logger, sessionId, "not JSON");
            return Problem(StatusCodes.Status400BadRequest, $"The hook payload is not JSON: {ex.Message}");
        }

        if (hook is null)
        {
            counters.HookMalformed();
            LogRefused(logger, sessionId, "not a hook payload");
            return Problem(StatusCodes.Status400BadRequest, integration switch
            {
                AgentIntegrationKinds.Claude => "The hook payload must be a JSON object with hook_event_name (what Claude Code sends to a command hook).",
                AgentIntegrationKinds.Gemini => "The hook payload must be a JSON object with hook_event_name (what Gemini CLI sends to a command hook).",
                _ => "The notify payload must be a JSON object with type (what Codex passes to its notify program).",
            });
        }

        var transcriptChanged = false;
        if (hook.TranscriptPath is { } path && path != link.TranscriptPath && IsTranscriptPath(path))
        {
            transcriptChanged = await store.SetTranscriptPathAsync(sessionId, path, cancellationToken);
        }

        await tracker.OnHookAsync(sessionId, integration, hook, transcriptChanged, cancellationToken);
        counters.HookAccepted();
        return TypedResults.NoContent();
    }

    /// <summary>Only an absolute path to a .jsonl file is taken as a transcript; what is served from it is parsed JSONL only.</summary>
    private static bool IsTranscriptPath(string path) =>
        path.Length < 4096 && Path.IsPathFullyQualified(path) && path.EndsWith(".jsonl", StringComparison.Ordinal) && !path.Contains('\0', StringComparison.Ordinal);

    private static async Task<byte[]?> ReadAtMostAsync(Stream body, int max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ProblemHttpResult Problem(int status, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: "Hook refused");

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "Refused a hook call for session {SessionId}: {Reason}.")]
    private static partial void LogRefused(ILogger logger, string sessionId, string reason);
}
