using System.Text;

namespace FleckChat.Server.Handshake;

/// <summary>
/// Parses an HTTP/1.1 request head (RFC 9112): request line, then header fields, with no
/// obsolete line folding and no whitespace before the colon. The input is the head without the
/// final empty line. Anything that does not fit is reported with a short reason for a 400.
/// Works on the bytes directly: the only strings made are the ones the request keeps.
/// </summary>
internal static class HttpRequestParser
{
    /// <summary>The first byte of a TLS handshake record: what a wss:// client sends first.</summary>
    private const byte TlsHandshakeRecord = 0x16;

    // Headers that must appear once; a repeat is a malformed request, not a list.
    private static readonly string[] SingletonHeaders = ["Host", "Sec-WebSocket-Key", "Sec-WebSocket-Version"];

    public static bool TryParse(ReadOnlySpan<byte> head, out HttpRequest? request, out string error)
    {
        request = null;
        int lineEnd = head.IndexOf("\r\n"u8);
        var requestLine = lineEnd < 0 ? head : head[..lineEnd];
        if (!TryParseRequestLine(requestLine, out var method, out var target, out var version, out error))
        {
            return false;
        }

        var headers = new Dictionary<string, string>(8, StringComparer.OrdinalIgnoreCase);

        // Repeats of a list header are joined once at the end: joining on every repeat made a head
        // of thousands of "a: b" lines cost megabytes of strings (docs/fuzzing.md, "Findings").
        Dictionary<string, StringBuilder>? repeated = null;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            lineEnd = rest.IndexOf("\r\n"u8);
            var line = lineEnd < 0 ? rest : rest[..lineEnd];
            rest = lineEnd < 0 ? [] : rest[(lineEnd + 2)..];
            if (!TryParseHeader(line, out var name, out var value, out error))
            {
                return false;
            }

            if (headers.TryGetValue(name, out var existing))
            {
                if (SingletonHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    error = $"repeated {name} header";
                    return false;
                }

                repeated ??= new(StringComparer.OrdinalIgnoreCase);
                if (!repeated.TryGetValue(name, out var joined))
                {
                    repeated[name] = joined = new StringBuilder(existing);
                }

                joined.Append(", ").Append(value);
                continue;
            }

            headers[name] = value;
        }

        if (repeated is not null)
        {
            foreach (var (name, joined) in repeated)
            {
                headers[name] = joined.ToString();
            }
        }

        request = new HttpRequest(method, target, version, headers, head.ToArray());
        return true;
    }

    /// <summary>
    /// Checks the first byte a client sends: a request line starts with a method, a token. A TLS
    /// record (0x16, a ClientHello) means a wss:// client on the plain port and gets a reason saying
    /// so; any other byte that cannot start a token means the client does not speak HTTP at all.
    /// </summary>
    /// <returns>The reason for a 400, or null when the byte can start a request.</returns>
    public static string? CannotStartRequest(byte first) => first switch
    {
        TlsHandshakeRecord => "this port speaks plain ws:// (HTTP), not TLS: connect with ws://, not wss://",
        _ when !IsToken([first]) => "not an HTTP request",
        _ => null,
    };

    private static bool TryParseRequestLine(ReadOnlySpan<byte> line, out string method, out string target, out string version, out string error)
    {
        method = target = version = "";
        int first = line.IndexOf((byte)' ');
        int last = line.LastIndexOf((byte)' ');
        if (first <= 0 || last <= first + 1 || line[(first + 1)..last].Contains((byte)' '))
        {
            error = "malformed request line";
            return false;
        }

        var methodBytes = line[..first];
        var targetBytes = line[(first + 1)..last];
        var versionBytes = line[(last + 1)..];
        if (!IsToken(methodBytes))
        {
            error = "malformed method";
            return false;
        }

        if (targetBytes[0] != (byte)'/' || targetBytes.IndexOfAnyExceptInRange((byte)'!', (byte)'~') >= 0)
        {
            error = "malformed request target";
            return false;
        }

        if (versionBytes.Length != 8 || !versionBytes.StartsWith("HTTP/"u8) ||
            !char.IsAsciiDigit((char)versionBytes[5]) || versionBytes[6] != (byte)'.' || !char.IsAsciiDigit((char)versionBytes[7]))
        {
            error = "malformed HTTP version";
            return false;
        }

        method = methodBytes.SequenceEqual("GET"u8) ? "GET" : Encoding.ASCII.GetString(methodBytes);
        target = SharedTarget(targetBytes);
        version = versionBytes.SequenceEqual("HTTP/1.1"u8) ? "HTTP/1.1" : Encoding.ASCII.GetString(versionBytes);
        error = "";
        return true;
    }

    private static bool TryParseHeader(ReadOnlySpan<byte> line, out string name, out string value, out string error)
    {
        name = value = "";
        int colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            error = line.Length > 0 && (line[0] == (byte)' ' || line[0] == (byte)'\t')
                ? "obsolete header line folding"
                : "malformed header line";
            return false;
        }

        if (!IsToken(line[..colon]))
        {
            error = "malformed header name";
            return false;
        }

        name = KnownName(line[..colon]) ?? Encoding.ASCII.GetString(line[..colon]);
        var raw = line[(colon + 1)..].Trim(" \t"u8);
        foreach (byte b in raw)
        {
            if ((b < (byte)' ' && b != (byte)'\t') || b == 0x7F)
            {
                error = $"control character in {name} header";
                return false;
            }
        }

        value = Encoding.Latin1.GetString(raw);
        error = "";
        return true;
    }

    private static string? s_lastTarget;

    /// <summary>
    /// Most clients ask for the same target (<c>/chat</c>), and every connection keeps its target for
    /// life: reuse the last one's string when the bytes match instead of keeping thousands of copies.
    /// </summary>
    private static string SharedTarget(ReadOnlySpan<byte> bytes)
    {
        var last = Volatile.Read(ref s_lastTarget);
        if (last is not null && Ascii.Equals(bytes, last))
        {
            return last;
        }

        var target = Encoding.ASCII.GetString(bytes);
        Volatile.Write(ref s_lastTarget, target);
        return target;
    }

    /// <summary>The headers every handshake sends, as shared strings rather than new ones per request.</summary>
    private static string? KnownName(ReadOnlySpan<byte> name)
    {
        foreach (var known in KnownNames)
        {
            if (Ascii.EqualsIgnoreCase(name, known))
            {
                return known;
            }
        }

        return null;
    }

    private static readonly string[] KnownNames =
    [
        "Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Extensions", "Origin", "User-Agent", "Cookie", "Accept-Encoding", "Pragma", "Cache-Control",
    ];

    private static bool IsToken(ReadOnlySpan<byte> s)
    {
        foreach (byte c in s)
        {
            if (c <= (byte)' ' || c >= 0x7F || "\"(),/:;<=>?@[\\]{}"u8.Contains(c))
            {
                return false;
            }
        }

        return !s.IsEmpty;
    }
}
