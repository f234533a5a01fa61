using TeleClaude.Daemon.Agents;
using TeleClaude.Daemon.Caching;
using TeleClaude.Daemon.Commands;
using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Hosting;
using TeleClaude.Daemon.Hubs;
using TeleClaude.Daemon.Mcp;
using TeleClaude.Daemon.Projects;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Rest;
using TeleClaude.Daemon.Security;
using TeleClaude.Daemon.Sessions;
using TeleClaude.Daemon.Storage;
using TeleClaude.Daemon.Web;

namespace TeleClaude.Daemon;

/// <summary>The daemon's table of contents: every feature, in one place. Tests boot exactly this.</summary>
internal static class TeleClaudeDaemon
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The content root is the daemon's own directory: the appsettings.json beside it is read wherever it is started from.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddDaemonHosting();
        builder.AddDaemonOptions(args);
        builder.AddDaemonListeners();
        builder.AddDaemonSecurity();
        builder.Services.AddSessionStore();
        builder.Services.AddProjects();
        builder.Services.AddDaemonCache();
        builder.Services.AddSessionRunner();
        builder.Services.AddAgentIntegrations();
        builder.Services.AddDaemonCommands();
        builder.Services.AddSessionsHub();
        builder.AddRedisTransport();
        builder.Services.AddFleetSigning();
        builder.Services.AddRestApi();
        builder.Services.AddMcpAdapter();
        builder.Services.AddWebDashboard();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseStoppingGate();
        app.UseRestErrors();
        app.UseDaemonSecurity();
        app.MapRestApi();
        app.MapProjectsApi();
        app.MapSessionsHub();
        app.MapMcpAdapter();
        app.MapHooksApi();
        app.MapWebDashboard();
        return app;
    }
}
