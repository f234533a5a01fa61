using System.Security.Cryptography;
using System.Text;

namespace TeleClaude.Daemon.Agents;

/// <summary>
/// Per-session hook secrets: 256 random bits handed to the session in its tmux environment; only their SHA-256
/// is stored, and a presented secret is checked in constant time.
/// </summary>
internal static class HookSecrets
{
    public static string Create() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(string? presented, string? storedHash)
    {
        if (string.IsNullOrEmpty(presented) || string.IsNullOrEmpty(storedHash) || presented.Length > 256)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(presented)), Encoding.ASCII.GetBytes(storedHash));
    }
}
