using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using TeleClaude.Daemon.Configuration;

namespace TeleClaude.Daemon.Security;

/// <summary>
/// The TCP listener's bearer token, kept in an owner-only (0600) file. It is created with 32 random bytes on
/// first use and rotated by replacing the file atomically (write a temp file, rename it over the old one), so
/// a reader never sees half a token. The running daemon looks at the file's modification time on every check
/// and re-reads it when it changed: after <c>token rotate</c> the old token is refused from the next request on.
/// </summary>
internal sealed class AccessTokenFile(string path)
{
    /// <summary>Tokens shorter than this (a hand-edited file) are refused: every request then gets 401.</summary>
    public const int MinimumLength = 16;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private Snapshot? _current;

    public string Path => path;

    /// <summary>The token, creating the file with a new random one when there is none.</summary>
    public string GetOrCreate()
    {
        if (TryRead() is { } existing)
        {
            return existing;
        }

        var token = NewToken();
        if (Write(token, replace: false))
        {
            return token;
        }

        // Another process (the daemon or a `token show`) created it between our read and our write: use theirs.
        return TryRead() ?? throw new IOException($"The token file {path} exists but holds no usable token; run `token rotate` to replace it.");
    }

    /// <summary>Replaces the token with a new random one and returns it.</summary>
    public string Rotate()
    {
        var token = NewToken();
        Write(token, replace: true);
        return token;
    }

    /// <summary>The token in the file, or null when the file is missing, unreadable or too short.</summary>
    public string? TryRead()
    {
        try
        {
            var token = File.ReadAllText(path).Trim();
            return token.Length >= MinimumLength ? token : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True when the file is readable by anyone but its owner.</summary>
    public bool IsExposed() =>
        File.Exists(path) && (File.GetUnixFileMode(path) & GroupOrOther) != 0;

    /// <summary>Restricts the file to its owner again.</summary>
    public void RestrictToOwner() => File.SetUnixFileMode(path, OwnerOnly);

    /// <summary>
    /// Compares <paramref name="presented"/> with the current token in constant time: both sides are hashed
    /// first, so neither the content nor the length of the token shows in the time a wrong guess takes.
    /// </summary>
    public bool Matches(string presented)
    {
        if (Current() is not { } expected)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        return CryptographicOperations.FixedTimeEquals(hash, expected);
    }

    /// <summary>
    /// True when <paramref name="fingerprint"/> (from <see cref="FingerprintOf"/>) belongs to the current token, compared
    /// in constant time. A dashboard cookie carries the fingerprint of the token it was issued for, so rotating the token
    /// signs every browser out from its next request on.
    /// </summary>
    public bool IsCurrentFingerprint(string? fingerprint)
    {
        if (Current() is not { } expected || fingerprint is null || !Base64Url.IsValid(fingerprint))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Base64Url.DecodeFromChars(fingerprint), expected);
    }

    /// <summary>The SHA-256 of <paramref name="token"/>, base64url: what a dashboard cookie keeps instead of the token.</summary>
    public static string FingerprintOf(string token) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private byte[]? Current()
    {
        var stamp = File.GetLastWriteTimeUtc(path);
        var snapshot = _current;
        if (snapshot is null || snapshot.Stamp != stamp)
        {
            var token = TryRead();
            snapshot = new Snapshot(stamp, token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token)));
            _current = snapshot;
        }

        return snapshot.Hash;
    }

    private static string NewToken() => "tc_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private bool Write(string token, bool replace)
    {
        DaemonPaths.EnsurePrivateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = OwnerOnly,
            }))
            {
                stream.Write(Encoding.UTF8.GetBytes(token + "\n"));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: replace);
            return true;
        }
        catch (IOException) when (!replace && File.Exists(path))
        {
            return false;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private sealed record Snapshot(DateTime Stamp, byte[]? Hash);
}
