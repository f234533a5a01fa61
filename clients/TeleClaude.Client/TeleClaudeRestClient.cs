using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TeleClaude.Contracts;

namespace TeleClaude.Client;

/// <summary>Typed REST client of the daemon over its Unix socket. Errors surface as <see cref="TeleClaudeApiException"/> with the problem's detail.</summary>
public sealed class TeleClaudeRestClient : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>A client for the daemon listening on <paramref name="socketPath"/>.</summary>
    public TeleClaudeRestClient(string socketPath)
    {
        _http = new HttpClient(UnixSocketHttp.CreateHandler(socketPath)) { BaseAddress = UnixSocketHttp.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The raw client, for requests this class does not wrap.</summary>
    public HttpClient Http => _http;

    /// <summary>The JSON options of the wire format.</summary>
    public static JsonSerializerOptions JsonOptions => WireJson.Options;

    /// <summary>GET /health.</summary>
    public Task<HealthReport> HealthAsync(CancellationToken cancellationToken = default) => GetAsync<HealthReport>("health", cancellationToken);

    /// <summary>GET /computers.</summary>
    public Task<IReadOnlyList<ComputerInfo>> ListComputersAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<ComputerInfo>>("computers", cancellationToken);

    /// <summary>GET /sessions.</summary>
    public Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<SessionInfo>>("sessions", cancellationToken);

    /// <summary>GET /sessions/{id}.</summary>
    public Task<SessionInfo> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        GetAsync<SessionInfo>($"sessions/{Uri.EscapeDataString(sessionId)}", cancellationToken);

    /// <summary>GET /sessions/{id}/messages?since=&amp;limit=: a page of the session's conversation.</summary>
    public Task<SessionMessages> GetMessagesAsync(string sessionId, string? since = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (since is not null)
        {
            query.Add("since=" + Uri.EscapeDataString(since));
        }

        if (limit is { } n)
        {
            query.Add("limit=" + n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var path = $"sessions/{Uri.EscapeDataString(sessionId)}/messages" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        return GetAsync<SessionMessages>(path, cancellationToken);
    }

    /// <summary>GET /projects.</summary>
    public Task<IReadOnlyList<ProjectInfo>> ListProjectsAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<ProjectInfo>>("projects", cancellationToken);

    /// <summary>POST /projects: adds a directory of the daemon's computer as a project.</summary>
    public Task<ProjectInfo> AddProjectAsync(AddProjectRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<AddProjectRequest, ProjectInfo>(HttpMethod.Post, "projects", request, cancellationToken);

    /// <summary>DELETE /projects?path=...: removes a project added through <see cref="AddProjectAsync"/>.</summary>
    public Task<ProjectInfo> RemoveProjectAsync(string path, CancellationToken cancellationToken = default) =>
        SendAsync<object, ProjectInfo>(HttpMethod.Delete, $"projects?path={Uri.EscapeDataString(path)}", null, cancellationToken);

    /// <summary>GET /todos?project=...&amp;computer=...</summary>
    public Task<IReadOnlyList<TodoInfo>> ListTodosAsync(string projectPath, string? computer = null, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<TodoInfo>>(
            $"todos?project={Uri.EscapeDataString(projectPath)}" + (computer is null ? "" : $"&computer={Uri.EscapeDataString(computer)}"),
            cancellationToken);

    /// <summary>GET /diagnostics/hub.</summary>
    public Task<HubDiagnostics> DiagnosticsAsync(CancellationToken cancellationToken = default) => GetAsync<HubDiagnostics>("diagnostics/hub", cancellationToken);

    /// <summary>POST /sessions.</summary>
    public Task<SessionInfo> CreateSessionAsync(CreateSessionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<CreateSessionRequest, SessionInfo>(HttpMethod.Post, "sessions", request, cancellationToken);

    /// <summary>PATCH /sessions/{id}.</summary>
    public Task<SessionInfo> UpdateSessionAsync(string sessionId, UpdateSessionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<UpdateSessionRequest, SessionInfo>(HttpMethod.Patch, $"sessions/{Uri.EscapeDataString(sessionId)}", request, cancellationToken);

    /// <summary>POST /sessions/{id}/input.</summary>
    public Task<SessionInfo> SendInputAsync(string sessionId, string text, CancellationToken cancellationToken = default) =>
        SendAsync<SendInputRequest, SessionInfo>(HttpMethod.Post, $"sessions/{Uri.EscapeDataString(sessionId)}/input", new SendInputRequest(text), cancellationToken);

    /// <summary>POST /sessions/{id}/answer: gives a waiting session one of its choices, by key.</summary>
    public Task<SessionInfo> AnswerAsync(string sessionId, string choiceKey, CancellationToken cancellationToken = default) =>
        SendAsync<AnswerBody, SessionInfo>(HttpMethod.Post, $"sessions/{Uri.EscapeDataString(sessionId)}/answer", new AnswerBody(choiceKey), cancellationToken);

    /// <summary>DELETE /sessions/{id}.</summary>
    public Task<SessionInfo> EndSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<object, SessionInfo>(HttpMethod.Delete, $"sessions/{Uri.EscapeDataString(sessionId)}", null, cancellationToken);

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
        return (await response.Content.ReadFromJsonAsync(WireJson.Info<T>(), cancellationToken).ConfigureAwait(false))!;
    }

    private async Task<TResponse> SendAsync<TBody, TResponse>(HttpMethod method, string path, TBody? body, CancellationToken cancellationToken)
        where TBody : class
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, WireJson.Info<TBody>());
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync(WireJson.Info<TResponse>(), cancellationToken).ConfigureAwait(false))!;
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
            detail = JsonSerializer.Deserialize(body, WireJson.Info<ProblemBody>())?.Detail;
        }
        catch (JsonException)
        {
        }

        throw new TeleClaudeApiException(response.StatusCode, detail ?? response.ReasonPhrase ?? "request failed", body);
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
