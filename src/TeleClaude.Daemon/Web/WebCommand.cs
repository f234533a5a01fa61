using TeleClaude.Daemon.Configuration;
using TeleClaude.Daemon.Security;

namespace TeleClaude.Daemon.Web;

/// <summary>
/// <c>TeleClaude.Daemon web [--tcp URL] [--db PATH]</c>: prints the URL that signs a browser in to the dashboard (the
/// login link with the token, like Jupyter's), reading the same configuration as the daemon. The URL alone goes to
/// stdout (for <c>xdg-open "$(TeleClaude.Daemon web)"</c>); how to use it, and how to reach it over <c>ssh -L</c>, to
/// stderr. It needs the TCP listener: the dashboard is a browser page and browsers do not speak Unix sockets.
/// </summary>
internal static class WebCommand
{
    private const string Usage = "Usage: TeleClaude.Daemon web [--tcp http://127.0.0.1:8765] [--db PATH] (the daemon's own settings)";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--help" or "-h", ..])
        {
            await Console.Error.WriteLineAsync(Usage);
            return 0;
        }

        var (daemon, access, problem) = TokenCommand.LoadOptions(args);
        if (problem is not null)
        {
            await Console.Error.WriteLineAsync($"teleclaude: {problem}\n{Usage}");
            return 2;
        }

        if (DashboardUrl(daemon) is not { } dashboard)
        {
            await Console.Error.WriteLineAsync(
                "teleclaude: the dashboard is served on the daemon's TCP listener, and none is configured: start the daemon with "
                + "--tcp http://127.0.0.1:8765 (or set TeleClaude:TcpUrl), then run this command with the same setting.");
            return 2;
        }

        string token;
        try
        {
            token = new AccessTokenFile(access.TokenPath!).GetOrCreate();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"teleclaude: {access.TokenPath}: {ex.Message}");
            return 1;
        }

        await Console.Out.WriteLineAsync(LoginUrl(dashboard, token));
        await Console.Error.WriteLineAsync(
            $"teleclaude: open this URL in a browser on this computer: it signs the browser in (a cookie) and goes on to {dashboard}. "
            + $"From another computer: `ssh -L {dashboard.Port}:{dashboard.Host}:{dashboard.Port} THIS_HOST`, then open the same URL there. "
            + "It holds the token: do not share it; `token rotate` signs every browser out.");
        return 0;
    }

    /// <summary>The dashboard's address on the TCP listener, or null without one. A wildcard bind is reached on loopback.</summary>
    internal static Uri? DashboardUrl(DaemonOptions daemon)
    {
        if (!Uri.TryCreate(daemon.TcpUrl, UriKind.Absolute, out var tcp))
        {
            return null;
        }

        var host = tcp.Host is "0.0.0.0" or "[::]" ? "127.0.0.1" : tcp.Host;
        return new UriBuilder(tcp.Scheme, host, tcp.Port, "/").Uri;
    }

    internal static string LoginUrl(Uri dashboard, string token) =>
        new Uri(dashboard, LoginApi.LoginPath + "?token=" + Uri.EscapeDataString(token)).ToString();
}
