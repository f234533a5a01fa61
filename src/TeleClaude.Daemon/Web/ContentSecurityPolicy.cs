using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace TeleClaude.Daemon.Web;

/// <summary>
/// The page's Content-Security-Policy: its own origin only (scripts, styles, fetch and the hub's WebSocket), no frames
/// (its answer buttons must not be clickjacked), no inline script except the import map, allowed by its hash (an
/// import map cannot be an external file).
/// </summary>
internal static partial class ContentSecurityPolicy
{
    public static string For(string indexHtml)
    {
        var hashes = ImportMap().Matches(indexHtml)
            .Select(m => $" 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups["body"].Value)))}'");
        return "default-src 'self'; script-src 'self'" + string.Concat(hashes)
            + "; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
    }

    [GeneratedRegex("<script type=\"importmap\">(?<body>.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ImportMap();
}
