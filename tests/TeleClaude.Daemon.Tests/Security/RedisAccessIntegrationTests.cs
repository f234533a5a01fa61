using TeleClaude.Contracts;
using TeleClaude.Daemon.Redis;
using TeleClaude.Daemon.Security;
using TeleClaude.Daemon.Tests.Infrastructure;

namespace TeleClaude.Daemon.Tests.Security;

/// <summary>
/// Daemons on a real redis-server that speaks TLS only and requires client certificates, as a restricted ACL
/// user; and daemons whose Redis refuses them (wrong CA, wrong password, missing rights) saying so in one line.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
internal sealed class RedisAccessIntegrationTests
{
    private const string Password = "acl-user-password-for-tests";

    /// <summary>A refusal shows after a connect timeout and a command's backlog timeout (5 s each): room for a loaded machine.</summary>
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(45);

    private static Task<DaemonProcess> StartAsync(RedisServer redis, string computer, string user, string password = Password, params string[] extra) =>
        DaemonProcess.StartAsync(computer,
        [
            $"--TeleClaude:Redis:Configuration={redis.Configuration},user={user},password={password}",
            .. redis.DaemonTlsArgs,
            .. DaemonProcess.FastTransport,
            .. extra,
        ]);

    [Test]
    public async Task DaemonsOverTls_AsTheMinimalAclUser_RunASessionAcross_WithoutOneRefusal(CancellationToken cancellationToken)
    {
        await using var redis = await RedisServer.StartTlsAsync();
        await redis.SetUserAsync("teleclaude", Password, RedisAcl.MinimalRule);
        await using var a = await StartAsync(redis, "alpha", "teleclaude");
        await using var b = await StartAsync(redis, "bravo", "teleclaude");

        // Interest, pulls, requests and events all cross the TLS connection as the restricted user.
        var (hub, pushes) = await a.ConnectAsync();
        await hub.Subscribe(Views.Sessions);
        await pushes.NextAsync<SessionsSnapshot>(nameof(ISessionsClient.SessionsState), cancellationToken: cancellationToken);
        await Eventually.ThatAsync(
            () => Task.FromResult(a.Get<PeerDirectory>().Get("bravo") is not null),
            "alpha sees bravo's heartbeat over TLS");
        await hub.Subscribe(Views.Preparation);
        var preparation = await pushes.NextAsync<PreparationSnapshot>(nameof(ISessionsClient.PreparationState), cancellationToken: cancellationToken);
        await Eventually.ThatAsync(
            () => Task.FromResult(b.Get<PeerDirectory>().InterestedPeers(Views.Sessions).Contains("alpha")),
            "bravo sees alpha's interest over TLS");
        using var rest = a.Rest();
        var started = await rest.CreateSessionAsync(new CreateSessionRequest(b.ProjectPath, "Over TLS as an ACL user", "claude", "bravo"), cancellationToken);
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionCreated), s => s.SessionId == started.SessionId, cancellationToken);
        await rest.SendInputAsync(started.SessionId, "ping over tls", cancellationToken);
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionUpdated), s => s.SessionId == started.SessionId && (s.LastOutput ?? "").Contains("agent got: ping over tls", StringComparison.Ordinal), cancellationToken);
        // Watching it from alpha: a lease (watch_output), bravo's screen stream (screen:*) read by alpha's blocking reader.
        await hub.Watch(started.SessionId);
        await pushes.NextAsync<SessionOutput>(nameof(ISessionsClient.SessionOutput), o => o.Screen.Contains("agent got: ping over tls", StringComparison.Ordinal), cancellationToken);
        await hub.Unwatch(started.SessionId);
        await rest.EndSessionAsync(started.SessionId, cancellationToken);
        await pushes.NextAsync<SessionInfo>(nameof(ISessionsClient.SessionTerminated), s => s.SessionId == started.SessionId, cancellationToken);

        Assert.That(preparation.Projects.Where(p => p.Project.Computer == "bravo").SelectMany(p => p.Todos), Is.Not.Empty, "alpha pulled bravo's projects and todos");
        Assert.That(await redis.AclLogAsync(), Is.Empty, "Redis refused nothing the daemons sent: the rule is enough");
        Assert.That(a.Logs.Entries.Concat(b.Logs.Entries).Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning && e.Category.StartsWith("TeleClaude.Daemon.Security", StringComparison.Ordinal)), Is.Empty);
    }

    [TestCase("another CA", "UntrustedRoot")]
    [TestCase("another host name", "RemoteCertificateNameMismatch")]
    public async Task ServerCertificate_NotFromTheConfiguredCaOrForAnotherHost_IsRefused_WithOneClearLine(string attack, string problem, CancellationToken cancellationToken)
    {
        await using var redis = await RedisServer.StartTlsAsync();
        var otherCa = attack == "another CA";
        await using var a = await DaemonProcess.StartAsync("alpha",
        [
            $"--TeleClaude:Redis:Configuration={redis.Configuration}" + (otherCa ? "" : ",sslHost=redis.elsewhere.example"),
            $"--TeleClaude:Redis:Tls:CaFile={(otherCa ? redis.Tls!.OtherCaCertificate : redis.Tls!.CaCertificate)}",
            $"--TeleClaude:Redis:Tls:ClientCertificateFile={redis.Tls.ClientCertificate}",
            $"--TeleClaude:Redis:Tls:ClientKeyFile={redis.Tls.ClientKey}",
            .. DaemonProcess.FastTransport,
        ]);

        await Eventually.ThatAsync(() => Task.FromResult(a.Logs.WithEventId(730).Count > 0), "the daemon says it refused the certificate", Slow);
        await using var admin = await redis.ConnectAsync();
        var line = a.Logs.WithEventId(730)[0];

        Assert.That(line.Message, Does.Contain("CN=localhost").And.Contain(problem).And.Contain("TeleClaude:Redis:Tls:CaFile"), line.Message);
        Assert.That(line.Exception, Is.Null, "one line, no stack trace");
        Assert.That(a.Logs.WithEventId(730), Has.Count.EqualTo(1), "repeated reconnects do not repeat the line");
        Assert.That((bool)await admin.GetDatabase().KeyExistsAsync(RedisKeys.Heartbeat("alpha")), Is.False, "the daemon never got through");
    }

    [Test]
    public async Task WrongPassword_WithTheDefaultUserDisabled_IsReported_InOneClearLine(CancellationToken cancellationToken)
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.SetUserAsync("teleclaude", Password, RedisAcl.MinimalRule);
        await redis.DisableDefaultUserAsync();

        await using var a = await StartAsync(redis, "alpha", "teleclaude", password: "not-the-password");

        await Eventually.ThatAsync(() => Task.FromResult(a.Logs.WithEventId(731).Count > 0), "the daemon says Redis refused its credentials", Slow);
        var line = a.Logs.WithEventId(731)[0];
        Assert.That(line.Message, Does.Contain("user 'teleclaude'").And.Contain("password=").And.Match("NOAUTH|WRONGPASS"), line.Message);
        Assert.That(line.Exception, Is.Null);
        Assert.That(a.Logs.WithEventId(731), Has.Count.EqualTo(1), "one line, not one per reconnect");
    }

    [Test]
    public async Task WrongPassword_WithTheDefaultUserEnabled_IsCaught_InsteadOfRunningSilentlyAsDefault(CancellationToken cancellationToken)
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.SetUserAsync("teleclaude", Password, RedisAcl.MinimalRule);

        // StackExchange.Redis goes on as the (all-powerful) default user when the password is refused.
        await using var a = await StartAsync(redis, "alpha", "teleclaude", password: "not-the-password");

        await Eventually.ThatAsync(() => Task.FromResult(a.Logs.WithEventId(733).Count > 0), "the daemon says Redis took it for the default user", Slow);
        var line = a.Logs.WithEventId(733)[0];
        Assert.That(line.Message, Does.Contain("for user 'default', not 'teleclaude'").And.Contain("ACL SETUSER default off"), line.Message);
        Assert.That(line.Exception, Is.Null);
        using var rest = a.Rest();
        Assert.That((await rest.HealthAsync(cancellationToken)).Status, Is.EqualTo("ok"), "the daemon keeps serving local data");
    }

    [Test]
    public async Task UsersWithoutTheRule_AreReported_InOneClearLineEach(CancellationToken cancellationToken)
    {
        await using var redis = await RedisServer.StartAsync();
        // One user lacks a command (the heartbeat's SETEX); the other may run everything but on other keys.
        await redis.SetUserAsync("nocommand", Password, RedisAcl.MinimalRule + " -setex");
        await redis.SetUserAsync("nokeys", Password, RedisAcl.MinimalRule + " resetkeys ~someone-else:*");

        await using var a = await StartAsync(redis, "alpha", "nocommand");
        await using var b = await StartAsync(redis, "bravo", "nokeys");

        await Eventually.ThatAsync(() => Task.FromResult(a.Logs.WithEventId(732).Count > 0 && b.Logs.WithEventId(732).Count > 0), "both daemons say what they may not do", Slow);
        var command = a.Logs.WithEventId(732)[0];
        var keys = b.Logs.WithEventId(732)[0];
        Assert.That(command.Message, Does.Contain("user 'nocommand'").And.Contain("NOPERM").And.Contain("setex").And.Contain("README"), command.Message);
        Assert.That(keys.Message, Does.Contain("user 'nokeys'").And.Contain("NOPERM").And.Contain("key"), keys.Message);
        Assert.That(command.Exception, Is.Null);
        Assert.That(await redis.AclLogAsync(), Has.Some.Contains("nocommand").And.Some.Contains("nokeys"), "Redis did refuse them");
        using var rest = a.Rest();
        Assert.That((await rest.HealthAsync(cancellationToken)).Status, Is.EqualTo("ok"));
    }
}
