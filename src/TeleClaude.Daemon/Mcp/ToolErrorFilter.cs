using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace TeleClaude.Daemon.Mcp;

/// <summary>
/// A tool call that went wrong for a reason the caller can fix, or that this daemon could not carry out:
/// answered as a tool error with <see cref="Exception.Message"/>. <see cref="IsFault"/> marks the second kind.
/// </summary>
internal sealed class ToolCallException(string message, bool isFault = false) : McpException(message)
{
    /// <summary>True when the daemon (or what it depends on: tmux, a peer, Redis) failed, rather than the caller.</summary>
    public bool IsFault { get; } = isFault;
}

/// <summary>
/// The MCP SDK's call-tool filter for TeleClaude's tools. Before the SDK binds arguments, they are checked
/// against the tool's schema (<see cref="ToolArguments"/>); a problem is answered as a tool error naming the
/// argument, which a model can correct (MCP 2025-11-25 asks for input errors as tool errors, not protocol
/// errors). Refusals the tools raise (<see cref="ToolCallException"/>) are answered the same way. Each is one
/// log line without a stack trace: a warning for the caller's mistakes, an error for the daemon's failures.
/// Anything else is a bug and goes on to the SDK, which logs it with its stack trace and answers generically.
/// </summary>
internal static partial class ToolErrorFilter
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Create(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            var name = request.Params?.Name ?? "";
            if (request.MatchedPrimitive is not McpServerTool tool)
            {
                return await next(request, cancellationToken);
            }

            var logs = request.Services?.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
            var logger = logs.CreateLogger(typeof(ToolErrorFilter).FullName!);
            var arguments = request.Params?.Arguments is { } args ? new Dictionary<string, System.Text.Json.JsonElement>(args) : null;
            var problems = ToolArguments.Problems(name, tool.ProtocolTool.InputSchema, arguments);
            if (problems.Count > 0)
            {
                var text = string.Join(" ", problems);
                LogRefused(logger, name, text);
                return Error(text);
            }

            try
            {
                return await next(request, cancellationToken);
            }
            catch (ToolCallException ex) when (ex.IsFault)
            {
                LogFailed(logger, name, ex.Message);
                return Error(ex.Message);
            }
            catch (McpException ex) when (ex is not McpProtocolException)
            {
                LogRefused(logger, name, ex.Message);
                return Error(ex.Message);
            }
        };

    private static CallToolResult Error(string text) => new() { IsError = true, Content = [new TextContentBlock { Text = text }] };

    [LoggerMessage(EventId = 750, Level = LogLevel.Warning, Message = "MCP {Tool} refused: {Problem}")]
    private static partial void LogRefused(ILogger logger, string tool, string problem);

    [LoggerMessage(EventId = 751, Level = LogLevel.Error, Message = "MCP {Tool} failed: {Problem}")]
    private static partial void LogFailed(ILogger logger, string tool, string problem);
}
