using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TeleClaude.Client;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>The SDK's MCP client on a test daemon's <c>/mcp</c>, over its Unix socket.</summary>
internal static class McpClients
{
    public static async Task<McpClient> ConnectAsync(DaemonProcess daemon)
    {
        var http = new HttpClient(UnixSocketHttp.CreateHandler(daemon.SocketPath));
        var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri("http://localhost/mcp") }, http, null, ownsHttpClient: true);
        return await McpClient.CreateAsync(transport);
    }

    /// <summary>Calls a tool that must succeed; its JSON result.</summary>
    public static async Task<JsonElement> CallAsync(McpClient client, string tool, Dictionary<string, object?> args)
    {
        var result = await client.CallToolAsync(tool, args);
        Assert.That(result.IsError, Is.Not.True, $"{tool} failed: {Text(result)}");
        using var doc = JsonDocument.Parse(Text(result));
        return doc.RootElement.Clone();
    }

    public static string Text(CallToolResult result) => string.Join("", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
