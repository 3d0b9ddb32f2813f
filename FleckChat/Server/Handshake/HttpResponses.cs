using System.Text;

namespace FleckChat.Server.Handshake;

/// <summary>The bytes the server answers a handshake with.</summary>
internal static class HttpResponses
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>base64(SHA-1(key + GUID)) as ASCII bytes, computed without intermediate strings.</summary>
    private static byte[] AcceptBytes(string key)
    {
        Span<byte> input = stackalloc byte[key.Length + AcceptGuid.Length];
        Encoding.ASCII.GetBytes(key, input);
        Encoding.ASCII.GetBytes(AcceptGuid, input[key.Length..]);
        Span<byte> hash = stackalloc byte[Sha1.HashSizeInBytes];
        Sha1.HashData(input, hash);
        var accept = new byte[28];
        System.Buffers.Text.Base64.EncodeToUtf8(hash, accept, out _, out _);
        return accept;
    }

    public static byte[] SwitchingProtocols(string key, string subProtocol)
    {
        ReadOnlySpan<byte> start = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "u8;
        ReadOnlySpan<byte> protocolHeader = "\r\nSec-WebSocket-Protocol: "u8;
        var accept = AcceptBytes(key);
        int length = start.Length + accept.Length + (subProtocol.Length > 0 ? protocolHeader.Length + subProtocol.Length : 0) + 4;
        var response = new byte[length];
        var span = response.AsSpan();
        start.CopyTo(span);
        span = span[start.Length..];
        accept.CopyTo(span);
        span = span[accept.Length..];
        if (subProtocol.Length > 0)
        {
            protocolHeader.CopyTo(span);
            span = span[protocolHeader.Length..];
            span = span[Encoding.ASCII.GetBytes(subProtocol, span)..];
        }

        "\r\n\r\n"u8.CopyTo(span);
        return response;
    }

    /// <summary>
    /// A complete response with a body, closing the connection afterwards. A <c>Connection</c> among
    /// <paramref name="extraHeaders"/> (a 426 names <c>Upgrade</c>) is joined with <c>close</c> into
    /// the one <c>Connection</c> header.
    /// </summary>
    public static byte[] Plain(int status, string contentType, ReadOnlySpan<byte> body,
        IEnumerable<KeyValuePair<string, string>> extraHeaders, bool includeBody = true)
    {
        var sb = new StringBuilder(256)
            .Append("HTTP/1.1 ").Append(status).Append(' ').Append(ReasonPhrase(status)).Append("\r\n")
            .Append("Content-Type: ").Append(contentType).Append("\r\n")
            .Append("Content-Length: ").Append(body.Length).Append("\r\n")
            .Append("Connection: ");
        foreach (var (name, value) in extraHeaders)
        {
            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                sb.Append(value).Append(", ");
            }
        }

        sb.Append("close\r\n");
        foreach (var (name, value) in extraHeaders)
        {
            if (!name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                sb.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }

        sb.Append("\r\n");
        int headLength = Encoding.ASCII.GetByteCount(sb.ToString());
        var bytes = new byte[headLength + (includeBody ? body.Length : 0)];
        Encoding.ASCII.GetBytes(sb.ToString(), bytes);
        if (includeBody)
        {
            body.CopyTo(bytes.AsSpan(headLength));
        }

        return bytes;
    }

    public static byte[] Error(HandshakeRejection rejection) =>
        Plain(rejection.Status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(rejection.Reason + "\n"), rejection.ExtraHeaders);

    public static string ReasonPhrase(int status) => status switch
    {
        101 => "Switching Protocols",
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    };
}
