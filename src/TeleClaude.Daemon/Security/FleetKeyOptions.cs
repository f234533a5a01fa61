using Microsoft.Extensions.Options;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// The fleet key that signs every Redis stream entry between the computers (section <c>TeleClaude:Redis</c>, beside the
/// connection settings). Unset: entries are neither signed nor checked (the behaviour of a daemon without a key). Set:
/// every entry this daemon writes is signed with each of its keys, and every entry it reads must carry a valid
/// signature made with one of them (see <see cref="FleetKeys"/> and <c>Redis/EntryVerifier</c>).
/// </summary>
internal sealed class FleetKeyOptions
{
    public const string SectionName = "TeleClaude:Redis";

    /// <summary>The fleet's key: text of at least <see cref="FleetKeys.MinimumLength"/> characters, e.g. from <c>openssl rand -base64 32</c>.</summary>
    public string? FleetKey { get; set; }

    /// <summary>
    /// A file holding the key instead (one key per line; blank lines and lines starting with <c>#</c> are skipped). More
    /// than one line: every key is used, as with <see cref="PreviousFleetKeys"/> (a rotation). Not together with
    /// <see cref="FleetKey"/>.
    /// </summary>
    public string? FleetKeyFile { get; set; }

    /// <summary>
    /// Keys still used during a rotation: entries are signed with every key and accepted when one signature matches a
    /// key this computer holds, so two computers keep talking as long as they share one key.
    /// </summary>
    public List<string> PreviousFleetKeys { get; set; } = [];
}

/// <summary>Checks on start that the fleet keys can be read and are long enough (a bad one stops the daemon with exit 2).</summary>
internal sealed class FleetKeyOptionsValidator : IValidateOptions<FleetKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, FleetKeyOptions options)
    {
        var failures = new List<string>();
        FleetKeys.Load(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
