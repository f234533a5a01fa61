using Microsoft.Extensions.Options;
using TeleClaude.Daemon;
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

try
{
    await TeleClaudeDaemon.Build(args).RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("teleclaude: invalid configuration:");
    foreach (var failure in ex.Failures)
    {
        await Console.Error.WriteLineAsync($"  - {failure}");
    }

    return 2;
}
catch (Exception ex) when (ex is InvalidOperationException or IOException)
{
    await Console.Error.WriteLineAsync($"teleclaude: {ex.Message}");
    return 1;
}
