using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TeleClaude.Daemon.Tests.Infrastructure;

/// <summary>One scripted answer of the model: text that ends the turn, or a Bash tool call.</summary>
internal sealed record ScriptedTurn(string? Text, string? BashCommand, string? Description)
{
    public static ScriptedTurn Say(string text) => new(text, null, null);

    /// <summary>A shell tool call; each agent asks the user before it runs one (see the derived servers).</summary>
    public static ScriptedTurn Bash(string command, string description) => new(null, command, description);
}

/// <summary>
/// What the scripted model servers share: Kestrel on a free loopback port, the queue of <see cref="ScriptedTurn"/>s
/// the agent's main loop is answered from, the count of turns served and the tool results the agent sent back. A
/// derived server maps its API's routes and encodes a turn as that API's SSE or JSON.
/// </summary>
internal abstract class ScriptedAgentServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<ScriptedTurn> _turns;
    private WebApplication? _app;
    private int _served;

    protected ScriptedAgentServer(IEnumerable<ScriptedTurn> turns) => _turns = new ConcurrentQueue<ScriptedTurn>(turns);

    /// <summary>The URL to give the agent (see each derived server for the setting it goes into).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Scripted turns served so far.</summary>
    public int TurnsServed => Volatile.Read(ref _served);

    /// <summary>Every tool result the agent sent back, in order (proof that a tool really ran, or was refused).</summary>
    public ConcurrentQueue<string> ToolResults { get; } = new();

    /// <summary>Adds turns to the end of the script.</summary>
    public void Enqueue(params ScriptedTurn[] turns)
    {
        foreach (var turn in turns)
        {
            _turns.Enqueue(turn);
        }
    }

    /// <summary>Maps the API's routes; called once, before the server starts.</summary>
    protected abstract void MapRoutes(WebApplication app);

    /// <summary>What follows the server's address in <see cref="BaseUrl"/>.</summary>
    protected virtual string BaseUrlSuffix => "";

    /// <summary>Starts the server's Kestrel, learns the port it got, and hands the server back.</summary>
    protected static async Task<TServer> StartServerAsync<TServer>(TServer server)
        where TServer : ScriptedAgentServer
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        server._app = app;
        server.MapRoutes(app);
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + server.BaseUrlSuffix;
        return server;
    }

    /// <summary>The next scripted turn (a closing text once the script is used up) and its 1-based number.</summary>
    protected (ScriptedTurn Turn, int Index) NextTurn()
    {
        var turn = _turns.TryDequeue(out var next) ? next : ScriptedTurn.Say("(no more scripted turns)");
        return (turn, Interlocked.Increment(ref _served));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
