using TeleClaude.Daemon.Hosting;
using TeleClaude.Daemon.Mcp;
using TeleClaude.Daemon.Security;

if (args is ["mcp", .. var mcpArgs])
{
    return await McpStdioProxy.RunAsync(mcpArgs);
}

if (args is ["token", .. var tokenArgs])
{
    return await TokenCommand.RunAsync(tokenArgs);
}

return await DaemonRunner.RunAsync(args, Console.Error);
