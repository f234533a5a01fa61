using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TeleClaude.Contracts;

namespace TeleClaude.Client;

/// <summary>Typed REST client of the daemon over its Unix socket. Errors surface as <see cref="TeleClaudeApiException"/> with the problem's detail.</summary>
public sealed class TeleClaudeRestClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = CreateJsonOptions();
    private readonly HttpClient _http;

    /// <summary>A client for the daemon listening on <paramref name="socketPath"/>.</summary>
    public TeleClaudeRestClient(string socketPath)
    {
        _http = new HttpClient(UnixSocketHttp.CreateHandler(socketPath)) { BaseAddress = UnixSocketHttp.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The raw client, for requests this class does not wrap.</summary>
    public HttpClient Http => _http;

    /// <summary>The JSON options of the wire format.</summary>
    public static JsonSerializerOptions JsonOptions => Json;

    /// <summary>GET /health.</summary>
    public Task<HealthReport> HealthAsync(CancellationToken cancellationToken = default) => GetAsync<HealthReport>("health", cancellationToken);

    /// <summary>GET /computers.</summary>
    public Task<IReadOnlyList<ComputerInfo>> ListComputersAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<ComputerInfo>>("computers", cancellationToken);

    /// <summary>GET /sessions.</summary>
    public Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<SessionInfo>>("sessions", cancellationToken);

    /// <summary>GET /projects.</summary>
    public Task<IReadOnlyList<ProjectInfo>> ListProjectsAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<ProjectInfo>>("projects", cancellationToken);

    /// <summary>GET /todos?project=...&amp;computer=...</summary>
    public Task<IReadOnlyList<TodoInfo>> ListTodosAsync(string projectPath, string? computer = null, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<TodoInfo>>(
            $"todos?project={Uri.EscapeDataString(projectPath)}" + (computer is null ? "" : $"&computer={Uri.EscapeDataString(computer)}"),
            cancellationToken);

    /// <summary>GET /diagnostics/hub.</summary>
    public Task<HubDiagnostics> DiagnosticsAsync(CancellationToken cancellationToken = default) => GetAsync<HubDiagnostics>("diagnostics/hub", cancellationToken);

    /// <summary>POST /sessions.</summary>
    public Task<SessionInfo> CreateSessionAsync(CreateSessionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<SessionInfo>(HttpMethod.Post, "sessions", request, cancellationToken);

    /// <summary>PATCH /sessions/{id}.</summary>
    public Task<SessionInfo> UpdateSessionAsync(string sessionId, UpdateSessionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<SessionInfo>(HttpMethod.Patch, $"sessions/{Uri.EscapeDataString(sessionId)}", request, cancellationToken);

    /// <summary>POST /sessions/{id}/input.</summary>
    public Task<SessionInfo> SendInputAsync(string sessionId, string text, CancellationToken cancellationToken = default) =>
        SendAsync<SessionInfo>(HttpMethod.Post, $"sessions/{Uri.EscapeDataString(sessionId)}/input", new SendInputRequest(text), cancellationToken);

    /// <summary>DELETE /sessions/{id}.</summary>
    public Task<SessionInfo> EndSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<SessionInfo>(HttpMethod.Delete, $"sessions/{Uri.EscapeDataString(sessionId)}", null, cancellationToken);

    /// <summary>POST /refresh?view=...</summary>
    public async Task RefreshAsync(string view, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsync(new Uri($"refresh?view={Uri.EscapeDataString(view)}", UriKind.Relative), null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false))!;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? detail = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            detail = doc.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
        }
        catch (JsonException)
        {
        }

        throw new TeleClaudeApiException(response.StatusCode, detail ?? response.ReasonPhrase ?? "request failed", body);
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        TeleClaudeJsonContext.Configure(options);
        return options;
    }
}

/// <summary>The daemon answered with an error (an RFC 7807 problem).</summary>
public sealed class TeleClaudeApiException(HttpStatusCode statusCode, string detail, string body)
    : Exception($"{(int)statusCode} {statusCode}: {detail}")
{
    /// <summary>HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The problem's detail.</summary>
    public string Detail { get; } = detail;

    /// <summary>The raw problem document.</summary>
    public string Body { get; } = body;
}
