using System.Security.Cryptography;
using System.Text;

namespace FleckChat.Server.Handshake;

/// <summary>The bytes the server answers a handshake with.</summary>
internal static class HttpResponses
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350:Do not use weak cryptographic algorithms",
        Justification = "RFC 6455 defines Sec-WebSocket-Accept as SHA-1; it is a protocol checksum, not a security measure.")]
    public static string ComputeAccept(string key)
    {
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid), hash);
        return Convert.ToBase64String(hash);
    }

    public static byte[] SwitchingProtocols(string key, string subProtocol)
    {
        var sb = new StringBuilder(160)
            .Append("HTTP/1.1 101 Switching Protocols\r\n")
            .Append("Upgrade: websocket\r\n")
            .Append("Connection: Upgrade\r\n")
            .Append("Sec-WebSocket-Accept: ").Append(ComputeAccept(key)).Append("\r\n");
        if (subProtocol.Length > 0)
        {
            sb.Append("Sec-WebSocket-Protocol: ").Append(subProtocol).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(sb.Append("\r\n").ToString());
    }

    /// <summary>A complete response with a body, closing the connection afterwards.</summary>
    public static byte[] Plain(int status, string contentType, ReadOnlySpan<byte> body,
        IEnumerable<KeyValuePair<string, string>> extraHeaders, bool includeBody = true)
    {
        var sb = new StringBuilder(256)
            .Append("HTTP/1.1 ").Append(status).Append(' ').Append(ReasonPhrase(status)).Append("\r\n")
            .Append("Content-Type: ").Append(contentType).Append("\r\n")
            .Append("Content-Length: ").Append(body.Length).Append("\r\n")
            .Append("Connection: close\r\n");
        foreach (var (name, value) in extraHeaders)
        {
            sb.Append(name).Append(": ").Append(value).Append("\r\n");
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
