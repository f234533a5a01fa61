using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace TeleClaude.Daemon.Configuration;

/// <summary>Checks the settings on start so a bad value stops the daemon with a message that says what to fix.</summary>
internal sealed partial class DaemonOptionsValidator : IValidateOptions<DaemonOptions>
{
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}\z")]
    internal static partial Regex ComputerNamePattern();

    public ValidateOptionsResult Validate(string? name, DaemonOptions options)
    {
        var failures = new List<string>();
        if (!ComputerNamePattern().IsMatch(options.ComputerName ?? ""))
        {
            failures.Add($"TeleClaude:ComputerName '{options.ComputerName}' must be 1-63 characters of letters, digits, '.', '_' or '-' (it is part of Redis key names).");
        }

        CheckPath(failures, "TeleClaude:SocketPath", options.SocketPath);
        CheckPath(failures, "TeleClaude:DatabasePath", options.DatabasePath);
        if (options.SocketPath is { Length: > 107 })
        {
            failures.Add($"TeleClaude:SocketPath is {options.SocketPath.Length} characters long; Unix socket paths must be at most 107.");
        }

        if (options.TcpUrl is { Length: > 0 } tcpUrl)
        {
            if (!Uri.TryCreate(tcpUrl, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.Port <= 0 || uri.AbsolutePath != "/")
            {
                failures.Add($"TeleClaude:TcpUrl '{tcpUrl}' must look like http://127.0.0.1:8765 (http, an address, a port, no path).");
            }
            else if (!options.AllowNonLoopbackTcp && !(IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)))
            {
                failures.Add($"TeleClaude:TcpUrl '{tcpUrl}' must be a loopback address (127.0.0.0/8 or [::1]); set TeleClaude:AllowNonLoopbackTcp=true to bind another one.");
            }
        }

        if (options.MaximumHubMessageSize is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add($"TeleClaude:MaximumHubMessageSize {options.MaximumHubMessageSize} must be between 1024 and 16777216 bytes.");
        }

        if (options.HeartbeatInterval <= TimeSpan.Zero)
        {
            failures.Add("TeleClaude:HeartbeatInterval must be positive.");
        }

        foreach (var (agent, agentOptions) in options.Agents)
        {
            if (agentOptions.Command.Count == 0 || string.IsNullOrWhiteSpace(agentOptions.Command[0]))
            {
                failures.Add($"TeleClaude:Agents:{agent}:Command must name a program (a list: program, then arguments).");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Projects.Count; i++)
        {
            var project = options.Projects[i];
            var key = $"TeleClaude:Projects:{i}:Path";
            if (string.IsNullOrWhiteSpace(project.Path) || !Path.IsPathFullyQualified(project.Path))
            {
                failures.Add($"{key} '{project.Path}' must be an absolute path.");
            }
            else if (!Directory.Exists(project.Path))
            {
                failures.Add($"{key} '{project.Path}' does not exist or is not a directory.");
            }
            else if (!seen.Add(Path.TrimEndingDirectorySeparator(Path.GetFullPath(project.Path))))
            {
                failures.Add($"{key} '{project.Path}' is configured twice.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPath(List<string> failures, string key, string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path))
        {
            failures.Add($"{key} '{path}' must be an absolute path.");
        }
    }
}

/// <summary>Checks the cache TTLs on start.</summary>
internal sealed class CacheOptionsValidator : IValidateOptions<CacheOptions>
{
    public ValidateOptionsResult Validate(string? name, CacheOptions options)
    {
        var failures = new List<string>();
        Positive(failures, nameof(options.ComputerTtl), options.ComputerTtl);
        Positive(failures, nameof(options.RemoteProjectsTtl), options.RemoteProjectsTtl);
        Positive(failures, nameof(options.TodosTtl), options.TodosTtl);
        Positive(failures, nameof(options.PullTimeout), options.PullTimeout);
        Positive(failures, nameof(options.EvictUnusedAfter), options.EvictUnusedAfter);
        Positive(failures, nameof(options.SubscribeWait), options.SubscribeWait);
        if (options.ChangeFeedCapacity is < 1 or > 10_000_000)
        {
            failures.Add($"TeleClaude:Cache:ChangeFeedCapacity {options.ChangeFeedCapacity} must be between 1 and 10000000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"TeleClaude:Cache:{name} '{value}' must be a positive duration such as 00:01:00.");
        }
    }
}
