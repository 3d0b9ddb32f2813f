namespace FleckChat.Server;

/// <summary>Why a connection did not become a WebSocket, in the few kinds worth counting apart.</summary>
internal enum HandshakeFailure
{
    /// <summary>400: a malformed or incomplete upgrade request, bytes that are not HTTP at all (TLS on the plain port included), or no acceptable subprotocol.</summary>
    BadRequest,

    /// <summary>403: a browser from an origin that is not allowed.</summary>
    Forbidden,

    /// <summary>404: no WebSocket endpoint at the requested path.</summary>
    NotFound,

    /// <summary>405: not a GET.</summary>
    MethodNotAllowed,

    /// <summary>426: a plain request to the endpoint, or an unsupported WebSocket version.</summary>
    UpgradeRequired,

    /// <summary>431: a request head over the limit.</summary>
    RequestTooLarge,

    /// <summary>503: over the connection limits (overall or per address).</summary>
    ServerFull,

    /// <summary>The handshake (TLS included) did not finish in time.</summary>
    Timeout,

    /// <summary>Reset unfinished to make room for newer connections (a cap was reached).</summary>
    Shed,

    /// <summary>The TLS handshake failed.</summary>
    Tls,

    /// <summary>The client went away (reset, closed) during the handshake.</summary>
    Disconnected,

    /// <summary>Any other answer.</summary>
    Other,
}

/// <summary>Names a <see cref="HandshakeFailure"/> for logs and metric labels.</summary>
internal static class HandshakeFailureExtensions
{
    /// <summary>Each kind's name in snake_case (BadRequest: bad_request), made once.</summary>
    private static readonly string[] Labels = [.. Enum.GetNames<HandshakeFailure>().Select(SnakeCase)];

    /// <summary>A stable snake_case name for logs and metric labels.</summary>
    public static string Label(this HandshakeFailure failure) => Labels[(int)failure];

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
