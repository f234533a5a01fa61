using TeleClaude.Daemon.Hosting;
using TeleClaude.Daemon.Mcp;
using TeleClaude.Daemon.Security;

if (args is ["hook", .. var hookArgs])
{
    return await TeleClaude.Daemon.Agents.HookClient.RunAsync(hookArgs);
}

if (args is ["mcp", .. var mcpArgs])
{
    return await McpStdioProxy.RunAsync(mcpArgs);
}

if (args is ["token", .. var tokenArgs])
{
    return await TokenCommand.RunAsync(tokenArgs);
}

if (args is ["web", .. var webArgs])
{
    return await TeleClaude.Daemon.Web.WebCommand.RunAsync(webArgs);
}

return await DaemonRunner.RunAsync(args, Console.Error);
