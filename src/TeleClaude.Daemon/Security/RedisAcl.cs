namespace TeleClaude.Daemon.Security;

/// <summary>
/// The least a Redis ACL user needs to run a daemon, as <c>ACL SETUSER</c> rules (after the user name and its
/// <c>&gt;password</c>). The one place it is written: the tests create their restricted user from it and a unit
/// test checks that the README shows it verbatim. When the Redis transport changes its commands, keys or channels,
/// change it here (the integration test then fails on any command the rule does not allow).
/// </summary>
internal static class RedisAcl
{
    /// <summary>
    /// Keys: the heartbeats, the event, request and response streams, and the screen streams of watched sessions. Channels: the heartbeat channel (an optional
    /// speed-up between daemons). Commands: the data commands the transport uses (XINFO STREAM notices a trimmed or
    /// recreated stream), CLIENT UNBLOCK (wakes the daemon's own blocked reader when a pull starts), plus what StackExchange.Redis
    /// sends when it connects (HELLO, CLIENT SETNAME/ID, ECHO, INFO and CLUSTER probes, its tie-breaker key
    /// read-only and its configuration channel), and ACL WHOAMI, by which the daemon checks that Redis took it for
    /// this user (see <see cref="RedisConnectionSecurity.CheckIdentityAsync"/>).
    /// </summary>
    public const string MinimalRule =
        "on resetkeys resetchannels -@all "
        + "~computer:*:heartbeat ~session_events:* ~messages:* ~output:* ~screen:* %R~__Booksleeve_TieBreak "
        + "&teleclaude:heartbeats &__Booksleeve_MasterChanged "
        + "+hello +auth +ping +echo +quit +select +client|setname +client|id +client|unblock +info +cluster|nodes +cluster|slots +acl|whoami "
        + "+setex +get +mget +scan +expire +xadd +xread +xrange +xrevrange +xinfo|stream +publish +subscribe +unsubscribe";
}
