using System.Net.Http.Headers;
using TeleClaude.Client;

namespace TeleClaude.Daemon.Agents;

/// <summary>
/// <c>TeleClaude.Daemon hook INTEGRATION [JSON]</c>: the .NET hook client (the curl script is the faster default).
/// Posts the hook's JSON (the last argument, as Codex's notify passes it, else stdin, as Claude Code gives it) to the
/// daemon named by <c>TELECLAUDE_SOCKET</c>, tagged with <c>TELECLAUDE_SESSION_ID</c> and <c>TELECLAUDE_HOOK_SECRET</c>.
/// It runs before any host is built, and always exits 0 within its timeout: a hook must never disturb the agent.
/// </summary>
internal static class HookClient
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            var integration = args.Length > 0 ? args[0] : AgentIntegrationKinds.Claude;
            var payload = args.Length > 1 ? args[^1] : await Console.In.ReadToEndAsync();
            var socket = Environment.GetEnvironmentVariable(AgentLauncher.SocketVariable);
            var session = Environment.GetEnvironmentVariable(AgentLauncher.SessionVariable);
            if (string.IsNullOrEmpty(socket) || string.IsNullOrEmpty(session) || !File.Exists(socket))
            {
                return 0;
            }

            using var timeout = new CancellationTokenSource(Timeout);
            using var http = new HttpClient(UnixSocketHttp.CreateHandler(socket)) { BaseAddress = UnixSocketHttp.BaseAddress, Timeout = Timeout };
            using var request = new HttpRequestMessage(HttpMethod.Post, "hooks/" + Uri.EscapeDataString(integration))
            {
                Content = new StringContent(payload, new MediaTypeHeaderValue("application/json")),
            };
            request.Headers.Add(HooksApi.SessionHeader, session);
            request.Headers.Add(HooksApi.SecretHeader, Environment.GetEnvironmentVariable(AgentLauncher.SecretVariable) ?? "");
            using var response = await http.SendAsync(request, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            // The daemon is away or slow: the agent goes on without us.
        }

        return 0;
    }
}
