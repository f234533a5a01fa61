using TeleClaude.Daemon.Hosting;
using TeleClaude.Daemon.Mcp;

if (args is ["mcp", .. var mcpArgs])
{
    return await McpStdioProxy.RunAsync(mcpArgs);
}

return await DaemonRunner.RunAsync(args, Console.Error);
