using System.Security.Cryptography;
using System.Text;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// The fleet keys this computer holds (<see cref="FleetKeyOptions"/>), each as a key id and a MAC key. Neither is the
/// configured text itself: both are derived from it with HKDF-SHA256 (distinct <c>info</c> strings), so the id that
/// travels on the wire tells nothing about the key, and the same text could later key something else without reuse.
/// A key id is 8 hex digits: enough to tell a handful of keys apart during a rotation (checked distinct on start).
/// </summary>
internal sealed class FleetKeys
{
    /// <summary>Shortest key text accepted: 32 characters (<c>openssl rand -base64 32</c> gives 44).</summary>
    public const int MinimumLength = 32;

    /// <summary>Most keys held at once: each entry carries one signature per key.</summary>
    public const int MaximumCount = 4;

    private static readonly byte[] MacInfo = Encoding.UTF8.GetBytes("TeleClaude fleet key v1: stream entry MAC");
    private static readonly byte[] IdInfo = Encoding.UTF8.GetBytes("TeleClaude fleet key v1: key id");

    public static readonly FleetKeys None = new([]);

    private FleetKeys(IReadOnlyList<FleetKey> keys) => Keys = keys;

    /// <summary>Keys in the order configured (the first is <c>FleetKey</c> or the file's first line).</summary>
    public IReadOnlyList<FleetKey> Keys { get; }

    public bool Enabled => Keys.Count > 0;

    /// <summary>The key ids, for log lines (e.g. <c>3fa91c07, 6b20d4e1</c>).</summary>
    public string Ids => Keys.Count == 0 ? "none" : string.Join(", ", Keys.Select(k => k.Id));

    /// <summary>The key with <paramref name="id"/>, or null when this computer does not hold it.</summary>
    public FleetKey? Find(ReadOnlySpan<char> id)
    {
        foreach (var key in Keys)
        {
            if (id.SequenceEqual(key.Id))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>A key ring from key texts (tests, benchmarks); the texts must be valid.</summary>
    public static FleetKeys From(params string[] texts)
    {
        var failures = new List<string>();
        var keys = Build(texts.Select((t, i) => ($"key {i}", t)), failures);
        return failures.Count == 0 ? keys : throw new ArgumentException(string.Join(" ", failures), nameof(texts));
    }

    /// <summary>The keys the options name; each problem (unreadable file, short key, ...) is added to <paramref name="failures"/> as one line naming the setting.</summary>
    public static FleetKeys Load(FleetKeyOptions options, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(failures);
        var texts = new List<(string Setting, string Text)>();
        if (!string.IsNullOrWhiteSpace(options.FleetKey))
        {
            texts.Add(("TeleClaude:Redis:FleetKey", options.FleetKey));
        }

        if (!string.IsNullOrWhiteSpace(options.FleetKeyFile))
        {
            if (texts.Count > 0)
            {
                failures.Add("TeleClaude:Redis:FleetKey and TeleClaude:Redis:FleetKeyFile are both set; set one (a file may hold several keys, one per line).");
                return None;
            }

            texts.AddRange(ReadFile(options.FleetKeyFile, failures));
        }

        for (var i = 0; i < options.PreviousFleetKeys.Count; i++)
        {
            texts.Add(($"TeleClaude:Redis:PreviousFleetKeys:{i}", options.PreviousFleetKeys[i]));
        }

        if (texts.Count > 0 && string.IsNullOrWhiteSpace(options.FleetKey) && string.IsNullOrWhiteSpace(options.FleetKeyFile))
        {
            failures.Add("TeleClaude:Redis:PreviousFleetKeys is set without TeleClaude:Redis:FleetKey (or FleetKeyFile): set the current key too.");
            return None;
        }

        return Build(texts, failures);
    }

    private static List<(string Setting, string Text)> ReadFile(string path, List<string> failures)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            failures.Add($"TeleClaude:Redis:FleetKeyFile '{path}' cannot be read: {ex.Message}");
            return [];
        }

        var keys = new List<(string, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                keys.Add(($"TeleClaude:Redis:FleetKeyFile '{path}' line {i + 1}", line));
            }
        }

        if (keys.Count == 0)
        {
            failures.Add($"TeleClaude:Redis:FleetKeyFile '{path}' holds no key (one key per line; # starts a comment).");
        }

        return keys;
    }

    private static FleetKeys Build(IEnumerable<(string Setting, string Text)> texts, List<string> failures)
    {
        var keys = new List<FleetKey>();
        foreach (var (setting, raw) in texts)
        {
            var text = raw.Trim();
            if (text.Length < MinimumLength)
            {
                // Never echo the key, not even a short one: it may be a real secret typed into the wrong setting.
                failures.Add($"{setting} is {text.Length} characters long; a fleet key needs at least {MinimumLength} (make one with `openssl rand -base64 32`).");
                continue;
            }

            var key = Derive(text);
            if (keys.Any(k => k.Id == key.Id))
            {
                continue; // the same key twice (e.g. FleetKey repeated in PreviousFleetKeys): once is enough
            }

            keys.Add(key);
        }

        if (keys.Count > MaximumCount)
        {
            failures.Add($"TeleClaude:Redis: {keys.Count} fleet keys are set; at most {MaximumCount} (each entry carries a signature per key). Drop the keys no computer uses any more.");
        }

        return failures.Count == 0 ? new FleetKeys(keys) : None;
    }

    private static FleetKey Derive(string text)
    {
        var secret = Encoding.UTF8.GetBytes(text);
        var mac = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, salt: [], info: MacInfo);
        var id = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 4, salt: [], info: IdInfo);
        return new FleetKey(Convert.ToHexStringLower(id), mac);
    }
}

/// <summary>One fleet key: the id written beside its signatures and the HMAC-SHA256 key derived from the configured text.</summary>
internal sealed record FleetKey(string Id, byte[] MacKey);
