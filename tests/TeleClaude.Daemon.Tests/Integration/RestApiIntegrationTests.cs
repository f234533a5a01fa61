using System.Net;
using System.Text;
using System.Text.Json;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Integration;

/// <summary>REST snapshot reads and session records over the real daemon's Unix socket, including bad input.</summary>
[TestFixture]
[CancelAfter(30_000)]
internal sealed class RestApiIntegrationTests
{
    private DaemonProcess _daemon = null!;
    private TeleClaudeRestClient _rest = null!;

    [OneTimeSetUp]
    public async Task StartDaemon()
    {
        _daemon = await DaemonProcess.StartAsync("gamma");
        _rest = _daemon.Rest();
    }

    [OneTimeTearDown]
    public async Task StopDaemon()
    {
        _rest.Dispose();
        await _daemon.DisposeAsync();
    }

    [Test]
    public async Task Health_ReportsComputer_AndLocalOnlyMode()
    {
        var health = await _rest.HealthAsync();

        Assert.That((health.Status, health.Computer, health.RedisConfigured), Is.EqualTo(("ok", "gamma", false)));
    }

    [Test]
    public async Task Snapshots_ReturnLocalComputerProjectsAndTodos_AsSnakeCaseJson()
    {
        var computers = await _rest.ListComputersAsync();
        var projects = await _rest.ListProjectsAsync();
        var todos = await _rest.ListTodosAsync(_daemon.ProjectPath);
        var raw = await _rest.Http.GetStringAsync(new Uri("todos?project=" + Uri.EscapeDataString(_daemon.ProjectPath), UriKind.Relative));

        Assert.That(computers.Single().Name, Is.EqualTo("gamma"));
        Assert.That(projects.Single().Path, Is.EqualTo(_daemon.ProjectPath));
        Assert.That(todos.Select(t => t.Slug), Is.EqualTo(new[] { "cache-push", "telec-tui", "mcp-server" }));
        Assert.That(raw, Does.Contain("\"has_requirements\":true").And.Contain("\"status\":\"in_progress\""));
    }

    [Test]
    public async Task CreateSession_ReturnsCreated_AndIsListed()
    {
        using var response = await _rest.Http.PostAsJsonAsync("sessions", new CreateSessionRequest(_daemon.ProjectPath, "Listed", "codex"), TeleClaudeRestClient.JsonOptions);
        var created = await response.Content.ReadFromJsonAsync<SessionInfo>(TeleClaudeRestClient.JsonOptions);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/sessions/{created!.SessionId}"));
        Assert.That(created.Status, Is.EqualTo(SessionStatus.Starting));
        var listed = (await _rest.ListSessionsAsync()).Single(s => s.SessionId == created.SessionId);
        Assert.That((listed.Title, listed.Agent, listed.ProjectPath, listed.CreatedAt), Is.EqualTo((created.Title, created.Agent, created.ProjectPath, created.CreatedAt)));
    }

    [TestCase("{not json", "JSON")]
    [TestCase("{\"project_path\": 5}", "JSON")]
    public async Task CreateSession_MalformedBody_IsProblemWithDetail(string body, string detailPart)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _rest.Http.PostAsync(new Uri("sessions", UriKind.Relative), content);
        var problem = await ReadProblemAsync(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(detailPart));
        Assert.That(problem.ToString(), Does.Not.Contain("   at "), "no stack traces to clients");
    }

    [TestCase("/etc", "Title", "claude", "project_path")]
    [TestCase("{project}/../..", "Title", "claude", "project_path")]
    [TestCase("relative/path", "Title", "claude", "project_path")]
    [TestCase("{project}", "", "claude", "title")]
    [TestCase("{project}", "two\nlines", "claude", "title")]
    [TestCase("{project}", "Title", "claude; rm -rf /", "agent")]
    [TestCase("{project}", "Title", "$(reboot)", "agent")]
    public async Task CreateSession_InvalidFields_Are400_NamingTheField(string project, string title, string agent, string field)
    {
        var request = new CreateSessionRequest(project.Replace("{project}", _daemon.ProjectPath, StringComparison.Ordinal), title, agent);

        var error = Assert.ThrowsAsync<TeleClaudeApiException>(() => _rest.CreateSessionAsync(request));

        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        using var problem = JsonDocument.Parse(error.Body);
        Assert.That(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), Is.True, error.Body);
        Assert.That(await _rest.ListSessionsAsync(), Has.None.Matches<SessionInfo>(s => s.Title == title && s.Agent == agent));
    }

    [Test]
    public void CreateSession_OnUnknownComputer_Is400()
    {
        var error = Assert.ThrowsAsync<TeleClaudeApiException>(() =>
            _rest.CreateSessionAsync(new CreateSessionRequest(_daemon.ProjectPath, "Elsewhere", "claude", Computer: "nowhere")));

        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(error.Detail, Does.Contain("nowhere"));
    }

    [Test]
    public void UnknownSession_Is404_ForEveryVerb()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Assert.ThrowsAsync<TeleClaudeApiException>(() => _rest.EndSessionAsync("missing"))!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(Assert.ThrowsAsync<TeleClaudeApiException>(() => _rest.SendInputAsync("missing", "hi"))!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(
                Assert.ThrowsAsync<TeleClaudeApiException>(() => _rest.UpdateSessionAsync("missing", new UpdateSessionRequest(Title: "x")))!.StatusCode,
                Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task EndedSession_RejectsInput_AndEndingTwiceIsHarmless()
    {
        var session = await _rest.CreateSessionAsync(new CreateSessionRequest(_daemon.ProjectPath, "Short-lived", "claude"));
        await _rest.EndSessionAsync(session.SessionId);

        var again = await _rest.EndSessionAsync(session.SessionId);
        var input = Assert.ThrowsAsync<TeleClaudeApiException>(() => _rest.SendInputAsync(session.SessionId, "too late"));

        Assert.That(again.Status, Is.EqualTo(SessionStatus.Terminated));
        Assert.That(input!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(input.Detail, Does.Contain("has ended"));
    }

    [Test]
    public async Task Update_RejectsTerminatedStatus_AndEmptyBody()
    {
        var session = await _rest.CreateSessionAsync(new CreateSessionRequest(_daemon.ProjectPath, "Patch me", "claude"));

        var terminated = Assert.ThrowsAsync<TeleClaudeApiException>(() =>
            _rest.UpdateSessionAsync(session.SessionId, new UpdateSessionRequest(Status: SessionStatus.Terminated)));
        var empty = Assert.ThrowsAsync<TeleClaudeApiException>(() => _rest.UpdateSessionAsync(session.SessionId, new UpdateSessionRequest()));

        Assert.That(terminated!.Body, Does.Contain("DELETE"));
        Assert.That(empty!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Input_KeepsShellMetacharactersLiterally()
    {
        var session = await _rest.CreateSessionAsync(new CreateSessionRequest(_daemon.ProjectPath, "Literal", "claude"));
        const string text = "echo `id` $(whoami) && rm -rf / ; \"quoted\" 'single' | tee >/dev/null";

        var updated = await _rest.SendInputAsync(session.SessionId, text);

        Assert.That(updated.LastInput, Is.EqualTo(text));
    }

    [TestCase("", HttpStatusCode.BadRequest)]
    [TestCase("/nonexistent/project", HttpStatusCode.NotFound)]
    [TestCase("{project}/../../etc", HttpStatusCode.NotFound)]
    public async Task Todos_BadProject_IsProblem(string project, HttpStatusCode expected)
    {
        var path = project.Replace("{project}", _daemon.ProjectPath, StringComparison.Ordinal);
        using var response = await _rest.Http.GetAsync(new Uri("todos?project=" + Uri.EscapeDataString(path), UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(expected));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task Refresh_UnknownView_Is400_KnownViewIs204()
    {
        using var bad = await _rest.Http.PostAsync(new Uri("refresh?view=everything", UriKind.Relative), null);
        using var good = await _rest.Http.PostAsync(new Uri("refresh?view=preparation", UriKind.Relative), null);

        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await ReadProblemAsync(bad)).GetProperty("detail").GetString(), Does.Contain("Known views: sessions, preparation"));
        Assert.That(good.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }

    [Test]
    public async Task UnknownRoute_IsProblem404()
    {
        using var response = await _rest.Http.GetAsync(new Uri("no/such/route", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task Diagnostics_ListsEveryCacheCategory_WithTtl()
    {
        var diagnostics = await _rest.DiagnosticsAsync();

        Assert.That(diagnostics.Cache.Select(c => (c.Category, c.Ttl)), Is.EqualTo(new (string, TimeSpan?)[]
        {
            ("computers", TimeSpan.FromSeconds(60)),
            ("remote_projects", TimeSpan.FromMinutes(5)),
            ("remote_sessions", null),
            ("todos", TimeSpan.FromMinutes(5)),
        }));
        Assert.That(diagnostics.Counters.Keys, Is.SupersetOf(new[] { "pushes", "refreshes", "full_states", "cache_pulls" }));
    }

    private static async Task<JsonElement> ReadProblemAsync(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }
}
