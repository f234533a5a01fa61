using Microsoft.Extensions.Options;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// Makes sure the token exists (0600, created on first start) before the listeners open, and says where it
/// is when the TCP listener is on. A token file that others can read is restricted again, with a warning.
/// </summary>
internal sealed partial class AccessTokenSetup(AccessTokenFile tokens, IOptions<DaemonOptions> daemon, ILogger<AccessTokenSetup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var existed = File.Exists(tokens.Path);
        if (existed && tokens.IsExposed())
        {
            tokens.RestrictToOwner();
            LogExposed(tokens.Path);
        }

        tokens.GetOrCreate();
        if (!existed)
        {
            LogCreated(tokens.Path);
        }

        if (!string.IsNullOrEmpty(daemon.Value.TcpUrl))
        {
            LogTcpNeedsToken(daemon.Value.TcpUrl, tokens.Path);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 720, Level = LogLevel.Information, Message = "Created the access token {Path} (0600).")]
    private partial void LogCreated(string path);

    [LoggerMessage(EventId = 721, Level = LogLevel.Warning, Message = "The access token {Path} was readable by other users; it is owner-only again. Rotate it (`TeleClaude.Daemon token rotate`) if someone may have read it.")]
    private partial void LogExposed(string path);

    [LoggerMessage(EventId = 722, Level = LogLevel.Information, Message = "TCP listener {Url}: every request except /health needs `Authorization: Bearer <token>`; the token is in {Path}.")]
    private partial void LogTcpNeedsToken(string url, string path);
}
