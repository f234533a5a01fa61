using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using TeleClaude.Daemon.Security;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Security;

/// <summary>The token's life: created 0600 on first start, printed and rotated by the real <c>token</c> command while the daemon runs.</summary>
[TestFixture]
[CancelAfter(90_000)]
internal sealed class AccessTokenIntegrationTests
{
    private static string DaemonDll => Path.Combine(AppContext.BaseDirectory, "TeleClaude.Daemon.dll");

    private static async Task<(int ExitCode, string Stdout, string Stderr)> TokenCommandAsync(string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { DaemonDll, "token" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task<HttpStatusCode> GetSessionsAsync(int port, string token, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync("sessions", cancellationToken);
        return response.StatusCode;
    }

    [Test]
    public async Task FirstStart_CreatesAnOwnerOnlyTokenBesideTheDatabase_ThatTokenShowPrints(CancellationToken cancellationToken)
    {
        await using var daemon = await DaemonProcess.StartAsync("alpha");
        var path = Path.Combine(daemon.Directory, "api-token");

        var (exitCode, stdout, stderr) = await TokenCommandAsync(["show", "--db", daemon.DatabasePath], cancellationToken);
        var (_, pathOut, _) = await TokenCommandAsync(["path", "--db", daemon.DatabasePath], cancellationToken);

        Assert.That(exitCode, Is.Zero, stderr);
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(stdout.Trim(), Is.EqualTo(File.ReadAllText(path).Trim()).And.StartsWith("tc_").And.Length.EqualTo(46));
        Assert.That(pathOut.Trim(), Is.EqualTo(path));
        Assert.That(daemon.Logs.WithEventId(720), Has.Count.EqualTo(1), "one line says where the token is");
    }

    [Test]
    public async Task TokenRotate_RefusesTheOldToken_FromTheNextRequest_WithoutRestart(CancellationToken cancellationToken)
    {
        var port = RedisServer.FreePort();
        await using var daemon = await DaemonProcess.StartAsync("alpha", $"--tcp=http://127.0.0.1:{port}");
        var old = daemon.Get<AccessTokenFile>().GetOrCreate();
        Assert.That(await GetSessionsAsync(port, old, cancellationToken), Is.EqualTo(HttpStatusCode.OK));

        var (exitCode, stdout, stderr) = await TokenCommandAsync(["rotate", "--db", daemon.DatabasePath], cancellationToken);
        var rotated = stdout.Trim();

        Assert.That(exitCode, Is.Zero, stderr);
        Assert.That(rotated, Is.Not.EqualTo(old).And.StartsWith("tc_"));
        Assert.That(stderr, Does.Contain("the old one is refused"));
        Assert.That(await GetSessionsAsync(port, old, cancellationToken), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await GetSessionsAsync(port, rotated, cancellationToken), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(File.GetUnixFileMode(Path.Combine(daemon.Directory, "api-token")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(Directory.GetFiles(daemon.Directory, "api-token.*.tmp"), Is.Empty, "no temp file is left behind");
    }

    [Test]
    public async Task ExposedTokenFile_IsMadeOwnerOnlyAgain_OnStart_WithAWarning(CancellationToken cancellationToken)
    {
        await using var daemon = await DaemonProcess.StartAsync("alpha");
        var path = Path.Combine(daemon.Directory, "api-token");
        await daemon.StopAsync();
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await daemon.StartAsync();

        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(daemon.Logs.WithEventId(721).Select(e => e.Message), Has.One.Contains(path).And.Contains("token rotate"));
    }

    [TestCase("")]
    [TestCase("shout")]
    public async Task TokenCommand_WithoutAKnownVerb_ExitsWith2_AndShowsUsage(string verb, CancellationToken cancellationToken)
    {
        var (exitCode, stdout, stderr) = await TokenCommandAsync(verb.Length == 0 ? [] : [verb], cancellationToken);

        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.StartWith("Usage: TeleClaude.Daemon token show|rotate|path"));
    }
}
