using System.Text;

namespace FleckChat.Server.Handshake;

/// <summary>
/// Parses an HTTP/1.1 request head (RFC 9112): request line, then header fields, with no
/// obsolete line folding and no whitespace before the colon. The input is the head without the
/// final empty line. Anything that does not fit is reported with a short reason for a 400.
/// </summary>
internal static class HttpRequestParser
{
    // Headers that must appear once; a repeat is a malformed request, not a list.
    private static readonly string[] SingletonHeaders = ["Host", "Sec-WebSocket-Key", "Sec-WebSocket-Version"];

    public static bool TryParse(ReadOnlySpan<byte> head, out HttpRequest? request, out string error)
    {
        request = null;
        string text = Encoding.Latin1.GetString(head);
        string[] lines = text.Split("\r\n");
        if (!TryParseRequestLine(lines[0], out var method, out var target, out var version, out error))
        {
            return false;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < lines.Length; i++)
        {
            if (!TryParseHeader(lines[i], out var name, out var value, out error))
            {
                return false;
            }

            if (headers.TryGetValue(name, out var existing))
            {
                if (Array.Exists(SingletonHeaders, h => h.Equals(name, StringComparison.OrdinalIgnoreCase)))
                {
                    error = $"repeated {name} header";
                    return false;
                }

                value = existing + ", " + value;
            }

            headers[name] = value;
        }

        request = new HttpRequest(method, target, version, headers, head.ToArray());
        return true;
    }

    private static bool TryParseRequestLine(string line, out string method, out string target, out string version, out string error)
    {
        method = target = version = "";
        string[] parts = line.Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            error = "malformed request line";
            return false;
        }

        (method, target, version) = (parts[0], parts[1], parts[2]);
        if (!IsToken(method))
        {
            error = "malformed method";
            return false;
        }

        if (!target.StartsWith('/') || target.Any(c => c <= ' ' || c >= 0x7F))
        {
            error = "malformed request target";
            return false;
        }

        if (version.Length != 8 || !version.StartsWith("HTTP/", StringComparison.Ordinal) ||
            !char.IsAsciiDigit(version[5]) || version[6] != '.' || !char.IsAsciiDigit(version[7]))
        {
            error = "malformed HTTP version";
            return false;
        }

        error = "";
        return true;
    }

    private static bool TryParseHeader(string line, out string name, out string value, out string error)
    {
        name = value = "";
        int colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = line.Length > 0 && (line[0] == ' ' || line[0] == '\t')
                ? "obsolete header line folding"
                : "malformed header line";
            return false;
        }

        name = line[..colon];
        if (!IsToken(name))
        {
            error = "malformed header name";
            return false;
        }

        value = line[(colon + 1)..].Trim(' ', '\t');
        if (value.Any(c => (c < ' ' && c != '\t') || c == 0x7F))
        {
            error = $"control character in {name} header";
            return false;
        }

        error = "";
        return true;
    }

    private static bool IsToken(string s)
    {
        foreach (char c in s)
        {
            if (c <= ' ' || c >= 0x7F || "\"(),/:;<=>?@[\\]{}".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return s.Length > 0;
    }
}
