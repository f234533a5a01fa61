using System.Net;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Projects;

/// <summary>POST/DELETE /projects on the real daemon: validation, persistence across a restart, and the push to preparation views.</summary>
[TestFixture]
public sealed class ProjectsApiIntegrationTests
{
    [Test]
    [CancelAfter(60_000)]
    public async Task AddProject_ListsIt_PushesIt_AndKeepsItAcrossARestart()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        var (hub, pushes) = await daemon.ConnectAsync();
        await hub.Subscribe(Views.Preparation);
        var extra = Path.Combine(daemon.Directory, "extra");
        Directory.CreateDirectory(Path.Combine(extra, "todos"));
        await File.WriteAllTextAsync(Path.Combine(extra, "todos", "roadmap.md"), "- [ ] first-step\n");
        using var rest = daemon.Rest();

        var added = await rest.AddProjectAsync(new AddProjectRequest(extra + "/", Description: "Added at run time"));

        Assert.That(added, Is.EqualTo(new ProjectInfo("extra", "Added at run time", extra, "alpha", ProjectSource.Added)));
        Assert.That(await rest.ListProjectsAsync(), Is.EqualTo(new[] { new ProjectInfo("project", "Test project", daemon.ProjectPath, "alpha"), added }));
        var update = await pushes.NextAsync<ProjectsUpdate>(nameof(ISessionsClient.ProjectsUpdated), u => u.Projects.Contains(added));
        var todos = await pushes.NextAsync<TodosUpdate>(nameof(ISessionsClient.TodosUpdated), u => u.ProjectPath == extra);
        Assert.That(update.Computer, Is.EqualTo("alpha"));
        Assert.That(todos.Todos.Select(t => t.Slug), Is.EqualTo(new[] { "first-step" }), "the new project's todos are pushed too");

        await daemon.StopAsync();
        await daemon.StartAsync();
        using var again = daemon.Rest();
        Assert.That((await again.ListProjectsAsync()).Select(p => (p.Path, p.Source)), Does.Contain((extra, ProjectSource.Added)), "kept in SQLite");
        var session = await again.CreateSessionAsync(new CreateSessionRequest(extra, "Runs in the added project", "claude"));
        Assert.That(session.ProjectPath, Is.EqualTo(extra));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task AddProject_RefusesBadPaths_WithProblemsThatSayWhy()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        using var rest = daemon.Rest();
        var file = Path.Combine(daemon.Directory, "a-file");
        await File.WriteAllTextAsync(file, "x");

        async Task<(HttpStatusCode, string)> Add(string path)
        {
            var ex = Assert.ThrowsAsync<TeleClaudeApiException>(() => rest.AddProjectAsync(new AddProjectRequest(path)));
            return (ex!.StatusCode, ex.Detail);
        }

        Assert.That(await Add("relative/dir"), Is.EqualTo((HttpStatusCode.BadRequest, "'relative/dir' is not an absolute path; give the full path, e.g. /home/me/code/app.")));
        Assert.That(await Add("/no/such/dir"), Is.EqualTo((HttpStatusCode.BadRequest, "'/no/such/dir' does not exist on alpha (or the daemon cannot see it).")));
        Assert.That(await Add(file), Is.EqualTo((HttpStatusCode.BadRequest, $"'{file}' is a file, not a directory.")));
        Assert.That(await Add(""), Is.EqualTo((HttpStatusCode.BadRequest, "path is required: an existing directory as an absolute path, e.g. /home/me/code/app.")));
        Assert.That(await Add(daemon.ProjectPath + "/"), Is.EqualTo((HttpStatusCode.Conflict, $"'{daemon.ProjectPath}' is already a project of alpha (configured).")));
        await rest.AddProjectAsync(new AddProjectRequest(daemon.Directory));
        Assert.That(await Add(daemon.Directory), Is.EqualTo((HttpStatusCode.Conflict, $"'{daemon.Directory}' is already a project of alpha (added).")));

        using var body = await rest.Http.PostAsync("projects", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(body.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task RemoveProject_RemovesOnlyAddedProjects()
    {
        await using var daemon = await DaemonProcess.StartAsync();
        using var rest = daemon.Rest();
        var added = await rest.AddProjectAsync(new AddProjectRequest(daemon.Directory, Name: "Whole temp dir"));

        var configured = Assert.ThrowsAsync<TeleClaudeApiException>(() => rest.RemoveProjectAsync(daemon.ProjectPath));
        var unknown = Assert.ThrowsAsync<TeleClaudeApiException>(() => rest.RemoveProjectAsync("/not/a/project"));
        var removed = await rest.RemoveProjectAsync(daemon.Directory + "/");

        Assert.Multiple(() =>
        {
            Assert.That(configured!.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(configured.Detail, Does.Contain("is configured (TeleClaude:Projects in the daemon's settings)"));
            Assert.That(unknown!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(removed, Is.EqualTo(added));
            Assert.That(Directory.Exists(daemon.Directory), Is.True, "removing a project never touches its files");
        });
        Assert.That((await rest.ListProjectsAsync()).Select(p => p.Path), Is.EqualTo(new[] { daemon.ProjectPath }));
    }
}
