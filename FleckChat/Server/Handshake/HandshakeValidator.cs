using System.Buffers.Text;

namespace FleckChat.Server.Handshake;

/// <summary>
/// The server's side of the opening handshake (RFC 6455 section 4.2.1): decides whether a parsed
/// request becomes a WebSocket, and with which subprotocol, or which HTTP error it gets instead.
/// </summary>
internal static class HandshakeValidator
{
    public const string SupportedVersion = "13";

    public static HandshakeRejection? Validate(HttpRequest request, Func<string, bool> isPathServed, IReadOnlyList<string> allowedOrigins)
    {
        if (request.Method != "GET")
        {
            return new HandshakeRejection(405, $"method {request.Method} not allowed", [new("Allow", "GET")]);
        }

        if (request.Version != "HTTP/1.1")
        {
            return HandshakeRejection.BadRequest($"WebSocket needs HTTP/1.1, got {request.Version}");
        }

        if (!isPathServed(request.Path))
        {
            return new HandshakeRejection(404, $"no WebSocket endpoint at {request.Path}");
        }

        if (request.Header("Host").Length == 0)
        {
            return HandshakeRejection.BadRequest("missing Host header");
        }

        if (!request.HeaderHasToken("Upgrade", "websocket"))
        {
            return new HandshakeRejection(426, "this endpoint speaks WebSocket: send Upgrade: websocket",
                [new("Upgrade", "websocket"), new("Connection", "Upgrade")]);
        }

        if (!request.HeaderHasToken("Connection", "Upgrade"))
        {
            return HandshakeRejection.BadRequest("Connection header must contain Upgrade");
        }

        string version = request.Header("Sec-WebSocket-Version");
        if (version.Length == 0)
        {
            return HandshakeRejection.BadRequest("missing Sec-WebSocket-Version header");
        }

        if (version != SupportedVersion)
        {
            return new HandshakeRejection(426, $"unsupported WebSocket version {version}",
                [new("Sec-WebSocket-Version", SupportedVersion)]);
        }

        if (!IsValidKey(request.Header("Sec-WebSocket-Key")))
        {
            return HandshakeRejection.BadRequest("Sec-WebSocket-Key must be base64 of 16 bytes");
        }

        string origin = request.Header("Origin");
        if (allowedOrigins.Count > 0 && origin.Length > 0 && !allowedOrigins.Contains(origin.TrimEnd('/'), StringComparer.OrdinalIgnoreCase))
        {
            return new HandshakeRejection(403, $"origin {origin} is not allowed");
        }

        return null;
    }

    /// <summary>A valid key is the base64 encoding of exactly 16 bytes: 24 characters ending in "==".</summary>
    public static bool IsValidKey(string key)
    {
        if (key.Length != 24)
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[18];
        return Base64.IsValid(key, out int length) && length == 16 &&
               Convert.TryFromBase64String(key, decoded, out int written) && written == 16;
    }
}
