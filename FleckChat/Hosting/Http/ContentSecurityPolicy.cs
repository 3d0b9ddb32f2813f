using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace FleckChat.Hosting.Http;

/// <summary>
/// The chat page's Content-Security-Policy: nothing by default; its one inline script and one inline
/// style by their SHA-256 hashes (so no injected script or style can run); network access only to
/// the chat endpoint on the host the page was loaded from (ws: and wss:, so a TLS-terminating proxy
/// in front works too). No images, frames, forms, plugins or base URL changes.
/// </summary>
internal static partial class ContentSecurityPolicy
{
    public static string Hash(string inlineContent) =>
        "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inlineContent))) + "'";

    /// <param name="host">The request's Host header; when it is not a plain host[:port], only 'self' may be reached.</param>
    public static string Build(string scriptHash, string styleHash, string host, string chatPath)
    {
        string connect = "'self'";
        if (ValidHost().IsMatch(host))
        {
            string path = EncodePath(chatPath.TrimEnd('/'));
            connect = $"ws://{host}{path} ws://{host}{path}/ wss://{host}{path} wss://{host}{path}/";
        }

        return $"default-src 'none'; script-src {scriptHash}; style-src {styleHash}; connect-src {connect}; " +
               "img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    /// <summary>Percent-encodes what would end a CSP source expression or directive.</summary>
    private static string EncodePath(string path)
    {
        var sb = new StringBuilder(path.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(path))
        {
            if (b is > 0x20 and < 0x7F && b != ';' && b != ',' && b != '\'' && b != '%')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")]
    private static partial Regex ValidHost();
}
