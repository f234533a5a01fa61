using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TeleClaude.Client;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Mcp;

/// <summary>
/// <c>TeleClaude.Daemon mcp [--socket PATH]</c>: an MCP server on stdio for agents that register MCP servers
/// as commands. It forwards tool listing and calls to the running daemon's <c>/mcp</c> over its Unix socket,
/// so the tools are exactly the daemon's (it is a client of the daemon, like telec). stdout carries the protocol; every log line goes to stderr.
/// </summary>
internal static class McpStdioProxy
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? socket = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--socket" && i + 1 < args.Length)
            {
                socket = args[++i];
            }
            else
            {
                await Console.Error.WriteLineAsync($"teleclaude mcp: unknown argument '{args[i]}'. Usage: TeleClaude.Daemon mcp [--socket PATH]");
                return 2;
            }
        }

        socket ??= DaemonPaths.DefaultSocketPath();
        McpClient upstream;
        try
        {
            var http = new HttpClient(UnixSocketHttp.CreateHandler(socket));
            var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri("http://localhost/mcp") }, http, null, ownsHttpClient: true);
            upstream = await McpClient.CreateAsync(transport);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or System.Net.Sockets.SocketException)
        {
            await Console.Error.WriteLineAsync(
                $"teleclaude mcp: no daemon answers on {socket} ({ex.Message}). Start it with `dotnet run --project src/TeleClaude.Daemon`, or pass --socket PATH.");
            return 1;
        }

        await using (upstream)
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Services.AddMcpServer(o => o.ServerInfo = new Implementation { Name = "teleclaude", Version = "1.0.0" })
                .WithStdioServerTransport()
                .WithListToolsHandler(async (_, ct) => new ListToolsResult { Tools = [.. (await upstream.ListToolsAsync(cancellationToken: ct)).Select(t => t.ProtocolTool)] })
                .WithCallToolHandler(async (request, ct) => await upstream.CallToolAsync(request.Params!, ct));
            await builder.Build().RunAsync();
        }

        return 0;
    }
}
