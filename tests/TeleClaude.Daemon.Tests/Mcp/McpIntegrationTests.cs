using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TeleClaude.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Mcp;

/// <summary>The SDK's MCP client on daemon A drives a session on daemon B through one real redis-server.</summary>
[TestFixture]
[CancelAfter(90_000)]
internal sealed class McpIntegrationTests
{
    private static async Task<McpClient> ConnectMcpAsync(DaemonProcess daemon)
    {
        var http = new HttpClient(UnixSocketHttp.CreateHandler(daemon.SocketPath));
        var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri("http://localhost/mcp") }, http, null, ownsHttpClient: true);
        return await McpClient.CreateAsync(transport);
    }

    private static async Task<JsonElement> CallAsync(McpClient client, string tool, Dictionary<string, object?>? args = null)
    {
        var result = await client.CallToolAsync(tool, args ?? []);
        var text = string.Join("", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
        Assert.That(result.IsError, Is.Not.True, $"{tool} failed: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    [Test]
    public async Task McpClientOnA_RunsASessionOnB_AndTheHubClientOnASeesItsLife()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await DaemonProcess.StartWithRedisAsync(redis, "alpha");
        await using var b = await DaemonProcess.StartWithRedisAsync(redis, "bravo");
        var (hub, pushes) = await a.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState));
        await Eventually.ThatAsync(
            () => Task.FromResult(b.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains("alpha")),
            "bravo sees alpha interested");
        await using var mcp = await ConnectMcpAsync(a);

        var tools = (await mcp.ListToolsAsync()).Select(t => t.Name).ToArray();
        Assert.That(tools, Is.SupersetOf(new[]
        {
            "list_computers", "list_projects", "list_todos", "list_sessions", "get_session", "start_session", "send_message", "end_session",
        }));

        JsonElement projects = default;
        await Eventually.ThatAsync(
            async () =>
            {
                projects = await CallAsync(mcp, "list_projects", new() { ["computer"] = "bravo" });
                return projects.GetArrayLength() == 1;
            },
            "alpha lists bravo's projects");
        var project = projects[0].GetProperty("path").GetString();
        Assert.That(project, Is.EqualTo(b.ProjectPath));

        var started = await CallAsync(mcp, "start_session", new()
        {
            ["computer"] = "bravo",
            ["project_path"] = project,
            ["agent"] = "claude",
            ["title"] = "Started over MCP",
        });
        var id = started.GetProperty("session_id").GetString()!;
        Assert.That(started.GetProperty("computer").GetString(), Is.EqualTo("bravo"));

        await CallAsync(mcp, "send_message", new() { ["session_id"] = id, ["text"] = "ping from alpha" });
        await Eventually.ThatAsync(
            async () => (await CallAsync(mcp, "get_session", new() { ["session_id"] = id })).GetProperty("output").GetString()!.Contains("agent got: ping from alpha", StringComparison.Ordinal),
            "get_session shows the agent's answer");

        await CallAsync(mcp, "end_session", new() { ["session_id"] = id });
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionTerminated), s => s.SessionId == id);

        var seen = pushes.Seen.Where(p => p.Payload switch
        {
            SessionInfo s => s.SessionId == id,
            InputReceivedInfo i => i.Session.SessionId == id,
            _ => false,
        }).Select(p => p.Method).ToList();
        Assert.That(seen.IndexOf(nameof(ISessionsClient.SessionCreated)), Is.EqualTo(0), string.Join(", ", seen));
        Assert.That(seen.IndexOf(nameof(ISessionsClient.InputReceived)), Is.GreaterThan(0), string.Join(", ", seen));
        Assert.That(seen.LastIndexOf(nameof(ISessionsClient.SessionUpdated)), Is.GreaterThan(seen.IndexOf(nameof(ISessionsClient.InputReceived))), string.Join(", ", seen));
        Assert.That(seen[^1], Is.EqualTo(nameof(ISessionsClient.SessionTerminated)), string.Join(", ", seen));
    }

    [Test]
    public async Task BadToolArguments_AreToolErrors_ThatSayWhatIsWrong()
    {
        await using var a = await DaemonProcess.StartAsync("alpha");
        await using var mcp = await ConnectMcpAsync(a);

        var badProject = await mcp.CallToolAsync("start_session", new Dictionary<string, object?>
        {
            ["computer"] = "alpha",
            ["project_path"] = "/etc/../root",
            ["agent"] = "claude",
            ["title"] = "Nope",
        });
        var badLines = await mcp.CallToolAsync("get_session", new Dictionary<string, object?> { ["session_id"] = "x", ["output_lines"] = 0 });
        var unknown = await mcp.CallToolAsync("end_session", new Dictionary<string, object?> { ["session_id"] = "no-such-session" });

        Assert.That(badProject.IsError, Is.True);
        Assert.That(Text(badProject), Does.Contain("project_path").And.Contain("not a configured project"));
        Assert.That(badLines.IsError, Is.True);
        Assert.That(Text(badLines), Does.Contain("output_lines must be between 1 and 500"));
        Assert.That(unknown.IsError, Is.True);
        Assert.That(Text(unknown), Does.Contain("No session 'no-such-session'"));
    }

    [Test]
    public async Task BadArgumentsOfEveryKind_AreToolErrorsNamingTheArgument_EachLoggedAsOneWarningLine(CancellationToken cancellationToken)
    {
        await using var a = await DaemonProcess.StartAsync("alpha");
        await using var mcp = await ConnectMcpAsync(a);
        var calls = new (string Tool, Dictionary<string, object?> Arguments, string Expected)[]
        {
            ("start_session", new() { ["computer"] = "alpha", ["project_path"] = a.ProjectPath, ["agent"] = "claude" }, "title is missing"),
            ("get_session", new() { ["session_id"] = 42 }, "session_id must be a string; got the number 42."),
            ("get_session", new() { ["session_id"] = "x", ["output_lines"] = "many" }, "output_lines must be a whole number"),
            ("get_session", new() { ["session_id"] = "x", ["output_lines"] = 501 }, "output_lines must be between 1 and 500; got 501."),
            ("get_session", new() { ["sessionId"] = "x" }, "sessionId is not an argument of get_session"),
            ("get_session", new() { ["session_id"] = "no-such-session" }, "session_id: No session 'no-such-session'"),
            ("send_message", new() { ["session_id"] = "no-such-session", ["text"] = "hi" }, "session_id: No session 'no-such-session'"),
            ("list_sessions", new() { ["computer"] = "zulu" }, "computer: 'zulu' is not a known computer"),
            ("list_projects", new() { ["computer"] = "zulu" }, "computer: 'zulu' is not a known computer"),
            ("list_todos", new() { ["project_path"] = "/etc" }, "project_path: '/etc' is not a configured project"),
            ("start_session", new() { ["computer"] = "zulu", ["project_path"] = a.ProjectPath, ["agent"] = "claude", ["title"] = "t" }, "computer: Computer 'zulu' is not known"),
            ("start_session", new() { ["computer"] = "alpha", ["project_path"] = a.ProjectPath, ["agent"] = "claude", ["title"] = "two\nlines" }, "title: "),
        };

        foreach (var (tool, arguments, expected) in calls)
        {
            var result = await mcp.CallToolAsync(tool, arguments, cancellationToken: cancellationToken);
            Assert.That(result.IsError, Is.True, $"{tool}: {Text(result)}");
            Assert.That(Text(result), Does.Contain(expected).And.Not.Contain("An error occurred invoking"), tool);
        }

        var mcpLines = a.Logs.Entries.Where(e => e.Category.StartsWith("TeleClaude.Daemon.Mcp", StringComparison.Ordinal) || e.Category.StartsWith("ModelContextProtocol", StringComparison.Ordinal)).ToArray();
        var refusals = a.Logs.WithEventId(750);
        Assert.That(refusals, Has.Count.EqualTo(calls.Length), string.Join("\n", mcpLines));
        Assert.That(refusals.Select(r => r.Level).Distinct(), Is.EqualTo(new[] { Microsoft.Extensions.Logging.LogLevel.Warning }));
        Assert.That(refusals.Where(r => r.Exception is not null || r.Message.Contains('\n', StringComparison.Ordinal)), Is.Empty, "one line each, no stack trace");
        Assert.That(mcpLines.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error), Is.Empty, "a caller's mistake is not a daemon error");
    }

    [Test]
    public async Task StdioEntryPoint_ForwardsToolsOfTheRunningDaemon()
    {
        await using var a = await DaemonProcess.StartAsync("alpha");
        var created = await a.CreateSessionAsync("Seen over stdio");
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "TeleClaude.Daemon.dll"), "mcp", "--socket", a.SocketPath],
            Name = "teleclaude-stdio",
        });
        await using var mcp = await McpClient.CreateAsync(transport);

        var tools = (await mcp.ListToolsAsync()).Select(t => t.Name).ToArray();
        var sessions = await CallAsync(mcp, "list_sessions");

        Assert.That(tools, Does.Contain("start_session"));
        Assert.That(sessions.EnumerateArray().Select(s => s.GetProperty("session_id").GetString()), Does.Contain(created.SessionId));
    }

    [Test]
    public async Task StdioEntryPoint_WithoutDaemon_ExitsWith1_NamingTheSocket()
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "TeleClaude.Daemon.dll"), "mcp", "--socket", "/tmp/no-daemon-here.sock" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.That(process.ExitCode, Is.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain("no daemon answers on /tmp/no-daemon-here.sock"));
    }

    private static string Text(CallToolResult result) => string.Join("", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
