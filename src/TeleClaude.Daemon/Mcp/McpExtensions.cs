namespace TeleClaude.Daemon.Mcp;

internal static class McpExtensions
{
    /// <summary>The MCP server (streamable HTTP) with the TeleClaude tools; bad arguments are tool errors that name them.</summary>
    public static IServiceCollection AddMcpAdapter(this IServiceCollection services)
    {
        services.AddMcpServer().WithHttpTransport().WithTools<TeleClaudeTools>()
            .WithRequestFilters(filters => filters.AddCallToolFilter(ToolErrorFilter.Create));
        return services;
    }

    /// <summary>Serves MCP at <c>/mcp</c> on every listener (the Unix socket and the optional loopback TCP URL).</summary>
    public static IEndpointRouteBuilder MapMcpAdapter(this IEndpointRouteBuilder routes)
    {
        routes.MapMcp("/mcp");
        return routes;
    }
}
