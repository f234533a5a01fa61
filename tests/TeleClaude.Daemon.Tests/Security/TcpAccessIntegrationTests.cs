using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using TeleClaude.Contracts;
using TeleClaude.Daemon.Security;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Security;

/// <summary>
/// The attacks of issue 10 against a real daemon with its TCP listener on loopback: a DNS-rebinding page
/// (foreign <c>Host</c>), a cross-origin page (foreign <c>Origin</c>), callers without the token or with a
/// wrong one, on REST, the hub (negotiate, WebSocket, long polling) and MCP; and the right token, in a header
/// or as the SignalR JS client's <c>access_token</c>, working for all of them.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
internal sealed class TcpAccessIntegrationTests
{
    private const string DashboardOrigin = "http://dashboard.localhost:3000";
    private DaemonProcess _daemon = null!;
    private int _port;
    private string _token = null!;

    private Uri Base => new($"http://127.0.0.1:{_port}/");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _port = RedisServer.FreePort();
        _daemon = await DaemonProcess.StartAsync("tcp",
            $"--tcp=http://127.0.0.1:{_port}",
            "--TeleClaude:Access:AllowedHosts:0=teleclaude.test",
            $"--TeleClaude:Access:AllowedOrigins:0={DashboardOrigin}");
        _token = _daemon.Get<AccessTokenFile>().GetOrCreate();
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _daemon.DisposeAsync();

    private HttpClient Http(string? token = null)
    {
        var http = new HttpClient { BaseAddress = Base };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? host = null, string? origin = null, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (body is not null)
        {
            request.Content = body is CreateSessionRequest
                ? JsonContent.Create(body, options: TeleClaude.Client.TeleClaudeRestClient.JsonOptions)
                : JsonContent.Create(body);
        }

        return request;
    }

    private CreateSessionRequest NewSession(string title) => new(_daemon.ProjectPath, title, "claude");

    private async Task<bool> SessionExistsAsync(string title, CancellationToken cancellationToken)
    {
        using var rest = _daemon.Rest();
        return (await rest.ListSessionsAsync(cancellationToken)).Any(s => s.Title == title);
    }

    [Test]
    public async Task Health_AnswersWithoutToken_OnALoopbackHost(CancellationToken cancellationToken)
    {
        using var http = Http();
        using var byName = await http.SendAsync(Request(HttpMethod.Get, "health", host: $"localhost:{_port}"), cancellationToken);
        using var byAddress = await http.GetAsync("health", cancellationToken);

        Assert.That(byName.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(byAddress.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task RebindingHost_IsRefusedWith400_EvenWithTheToken_AndStartsNothing(CancellationToken cancellationToken)
    {
        using var http = Http(_token);
        var evil = $"evil.example:{_port}";

        using var create = await http.SendAsync(Request(HttpMethod.Post, "sessions", evil, $"http://{evil}", NewSession("Rebound")), cancellationToken);
        using var health = await http.SendAsync(Request(HttpMethod.Get, "health", evil), cancellationToken);
        using var hub = await http.SendAsync(Request(HttpMethod.Post, "hubs/sessions/negotiate?negotiateVersion=1", evil), cancellationToken);
        using var mcp = await http.SendAsync(Request(HttpMethod.Post, "mcp", evil, body: McpInitialize), cancellationToken);

        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await create.Content.ReadAsStringAsync(cancellationToken), Does.Contain("Invalid Hostname"));
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(hub.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(mcp.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await SessionExistsAsync("Rebound", cancellationToken), Is.False, "no agent was started");
    }

    [Test]
    public async Task ConfiguredHost_IsAccepted(CancellationToken cancellationToken)
    {
        using var http = Http(_token);

        using var response = await http.SendAsync(Request(HttpMethod.Get, "sessions", $"teleclaude.test:{_port}"), cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Rest_WithoutToken_Is401_SayingWhatToSend_AndStartsNothing(CancellationToken cancellationToken)
    {
        using var http = Http();

        using var create = await http.SendAsync(Request(HttpMethod.Post, "sessions", body: NewSession("No token")), cancellationToken);
        using var read = await http.GetAsync("sessions", cancellationToken);
        using var unknownPath = await http.GetAsync("no/such/path", cancellationToken);

        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(create.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
        Assert.That(create.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await create.Content.ReadAsStringAsync(cancellationToken), Does.Contain("Authorization: Bearer").And.Contain("token show"));
        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(unknownPath.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "nothing tells a stranger which paths exist");
        Assert.That(await SessionExistsAsync("No token", cancellationToken), Is.False);
    }

    [Test]
    public async Task Rest_WithWrongToken_Is401_InvalidToken_AndLogsAWarning(CancellationToken cancellationToken)
    {
        using var http = Http(_token[..^4] + "AAAA");

        using var create = await http.SendAsync(Request(HttpMethod.Post, "sessions", body: NewSession("Wrong token")), cancellationToken);

        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(create.Headers.WwwAuthenticate.ToString(), Does.Contain("invalid_token"));
        Assert.That(await SessionExistsAsync("Wrong token", cancellationToken), Is.False);
        Assert.That(_daemon.Logs.WithEventId(710).Select(e => e.Message), Has.Some.Contains("POST /sessions").And.Some.Contains("wrong bearer token"));
    }

    [Test]
    public async Task Rest_WithTheToken_StartsASession(CancellationToken cancellationToken)
    {
        using var http = Http(_token);

        using var create = await http.SendAsync(Request(HttpMethod.Post, "sessions", body: NewSession("With the token")), cancellationToken);

        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.Created), await create.Content.ReadAsStringAsync(cancellationToken));
        Assert.That(await SessionExistsAsync("With the token", cancellationToken), Is.True);
    }

    [Test]
    public async Task AccessTokenInTheQuery_IsNotTakenOnPlainRequests(CancellationToken cancellationToken)
    {
        using var http = Http();

        using var response = await http.GetAsync($"sessions?access_token={Uri.EscapeDataString(_token)}", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "query tokens are for WebSocket and event-stream requests only");
    }

    [TestCase("http://evil.example")]
    [TestCase("null")]
    [TestCase("http://127.0.0.1:1")]
    [TestCase("https://localhost")]
    public async Task CrossOrigin_Rest_WithTheToken_Is403_AndStartsNothing(string origin, CancellationToken cancellationToken)
    {
        using var http = Http(_token);
        var title = "Cross origin " + origin;

        using var create = await http.SendAsync(Request(HttpMethod.Post, "sessions", origin: origin, body: NewSession(title)), cancellationToken);

        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await create.Content.ReadAsStringAsync(cancellationToken), Does.Contain($"Origin '{origin}' may not use this daemon"));
        Assert.That(await SessionExistsAsync(title, cancellationToken), Is.False);
        Assert.That(_daemon.Logs.WithEventId(712).Select(e => e.Message), Has.Some.Contains(origin));
    }

    [Test]
    public async Task OwnOriginAndConfiguredOrigin_AreAllowed(CancellationToken cancellationToken)
    {
        using var http = Http(_token);

        using var self = await http.SendAsync(Request(HttpMethod.Get, "sessions", origin: $"http://127.0.0.1:{_port}"), cancellationToken);
        using var selfByName = await http.SendAsync(Request(HttpMethod.Get, "sessions", host: $"localhost:{_port}", origin: $"http://LOCALHOST:{_port}"), cancellationToken);
        using var dashboard = await http.SendAsync(Request(HttpMethod.Get, "sessions", origin: DashboardOrigin), cancellationToken);

        Assert.That(self.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(selfByName.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(dashboard.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task HubNegotiate_WithoutOrWithWrongToken_Is401(CancellationToken cancellationToken)
    {
        using var anonymous = Http();
        using var wrong = Http("tc_wrong-token-of-the-right-length-xxxxxxxxxxxxxx");

        using var none = await anonymous.PostAsync("hubs/sessions/negotiate?negotiateVersion=1", null, cancellationToken);
        using var bad = await wrong.PostAsync("hubs/sessions/negotiate?negotiateVersion=1", null, cancellationToken);

        Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCase(null, null, HttpStatusCode.Unauthorized)]
    [TestCase("header", "wrong", HttpStatusCode.Unauthorized)]
    [TestCase("query", "wrong", HttpStatusCode.Unauthorized)]
    [TestCase("header", "right", HttpStatusCode.Forbidden)]
    public async Task HubWebSocket_IsRefused_WithoutTheRightTokenOrFromAnotherOrigin(string? via, string? which, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        var token = which == "right" ? _token : "tc_wrong-token-of-the-right-length-xxxxxxxxxxxxxx";
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        var uri = $"ws://127.0.0.1:{_port}/hubs/sessions";
        if (via == "header")
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }
        else if (via == "query")
        {
            uri += "?access_token=" + Uri.EscapeDataString(token);
        }

        if (expected == HttpStatusCode.Forbidden)
        {
            socket.Options.SetRequestHeader("Origin", "http://evil.example");
        }

        Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri(uri), cancellationToken));
        Assert.That(socket.HttpStatusCode, Is.EqualTo(expected));
    }

    [TestCase(HttpTransportType.WebSockets)]
    [TestCase(HttpTransportType.LongPolling)]
    [TestCase(HttpTransportType.ServerSentEvents)]
    public async Task HubClient_WithTheToken_SubscribesOverTcp(HttpTransportType transport, CancellationToken cancellationToken)
    {
        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(Base, HubRoutes.Sessions.TrimStart('/')), transport, o => o.AccessTokenProvider = () => Task.FromResult<string?>(_token))
            .AddJsonProtocol(o => TeleClaudeJsonContext.Configure(o.PayloadSerializerOptions))
            .Build();
        var state = new TaskCompletionSource<SessionsSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), s => state.TrySetResult(s));

        await connection.StartAsync(cancellationToken);
        await connection.InvokeAsync(nameof(ISessionsHub.Subscribe), Views.Sessions, cancellationToken);
        var snapshot = await state.Task.WaitAsync(cancellationToken);

        Assert.That(snapshot.Computers.Select(c => c.Name), Does.Contain("tcp"));
    }

    [Test]
    public async Task HubWebSocket_WithAccessTokenInTheQuery_AsTheSignalRJsClientSendsIt_Works(CancellationToken cancellationToken)
    {
        // What @microsoft/signalr does in a browser: negotiate with the header, then open the WebSocket with
        // ?id=<connectionToken>&access_token=<token>, since browsers cannot set headers on a WebSocket.
        using var http = Http(_token);
        using var negotiate = await http.PostAsync("hubs/sessions/negotiate?negotiateVersion=1", null, cancellationToken);
        Assert.That(negotiate.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var negotiated = JsonDocument.Parse(await negotiate.Content.ReadAsStringAsync(cancellationToken));
        var id = negotiated.RootElement.GetProperty("connectionToken").GetString()!;
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", $"http://127.0.0.1:{_port}");

        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_port}/hubs/sessions?id={Uri.EscapeDataString(id)}&access_token={Uri.EscapeDataString(_token)}"), cancellationToken);
        await SendAsync(socket, """{"protocol":"json","version":1}""", cancellationToken);
        var handshake = await ReceiveAsync(socket, cancellationToken);
        await SendAsync(socket, $$"""{"type":1,"invocationId":"1","target":"{{nameof(ISessionsHub.Subscribe)}}","arguments":["{{Views.Sessions}}"]}""", cancellationToken);
        string frames = "";
        while (!frames.Contains($"\"target\":\"{nameof(ISessionsClient.SessionsState)}\"", StringComparison.Ordinal))
        {
            frames += await ReceiveAsync(socket, cancellationToken);
        }

        Assert.That(handshake, Is.EqualTo("{}\u001e"));
        Assert.That(frames, Does.Contain("\"computer\":\"tcp\"").Or.Contain("\"name\":\"tcp\""));
    }

    [Test]
    public async Task Mcp_WithoutOrWithWrongToken_Is401(CancellationToken cancellationToken)
    {
        using var anonymous = Http();
        using var wrong = Http("tc_wrong-token-of-the-right-length-xxxxxxxxxxxxxx");

        using var none = await anonymous.SendAsync(McpRequest(), cancellationToken);
        using var bad = await wrong.SendAsync(McpRequest(), cancellationToken);

        Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Mcp_CrossOrigin_Is403_EvenWithTheToken(CancellationToken cancellationToken)
    {
        using var http = Http(_token);
        var request = McpRequest();
        request.Headers.Add("Origin", "http://evil.example");

        using var response = await http.SendAsync(request, cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Mcp_WithTheToken_TheSdkClientListsAndCallsTools(CancellationToken cancellationToken)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(Base, "mcp"),
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + _token },
        });
        await using var mcp = await McpClient.CreateAsync(transport, cancellationToken: cancellationToken);

        var tools = await mcp.ListToolsAsync(cancellationToken: cancellationToken);
        var computers = await mcp.CallToolAsync("list_computers", cancellationToken: cancellationToken);

        Assert.That(tools.Select(t => t.Name), Does.Contain("start_session"));
        Assert.That(computers.IsError, Is.Not.True);
    }

    [Test]
    public void BadAccessSettings_StopStart_NamingEachOne()
    {
        string[] args =
        [
            "--socket", Path.Combine(_daemon.Directory, "bad", "d.sock"), "--db", Path.Combine(_daemon.Directory, "bad", "d.db"),
            "--TeleClaude:Access:AllowedHosts:0=*", "--TeleClaude:Access:AllowedOrigins:0=evil.example",
        ];

        var error = Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var app = TeleClaudeDaemon.Build(args, b => b.Logging.SetMinimumLevel(LogLevel.None));
            await app.StartAsync();
        });

        var all = string.Join("\n", error!.Failures);
        Assert.That(all, Does.Contain("TeleClaude:Access:AllowedHosts:0 '*'").And.Contain("TeleClaude:Access:AllowedOrigins:0 'evil.example'"));
    }

    [Test]
    public async Task UnixSocket_NeedsNoToken(CancellationToken cancellationToken)
    {
        using var rest = _daemon.Rest();

        var sessions = await rest.ListSessionsAsync(cancellationToken);

        Assert.That(sessions, Is.Not.Null);
    }

    private static readonly object McpInitialize = new Dictionary<string, object>
    {
        ["jsonrpc"] = "2.0",
        ["id"] = 1,
        ["method"] = "initialize",
        ["params"] = new Dictionary<string, object>
        {
            ["protocolVersion"] = "2025-06-18",
            ["capabilities"] = new Dictionary<string, object>(),
            ["clientInfo"] = new Dictionary<string, object> { ["name"] = "attacker", ["version"] = "1" },
        },
    };

    private static HttpRequestMessage McpRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "mcp") { Content = JsonContent.Create(McpInitialize) };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        return request;
    }

    private static Task SendAsync(ClientWebSocket socket, string json, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json + "\u001e"), WebSocketMessageType.Text, true, cancellationToken);

    private static async Task<string> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancellationToken);
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        while (!result.EndOfMessage);
        return text.ToString();
    }
}
