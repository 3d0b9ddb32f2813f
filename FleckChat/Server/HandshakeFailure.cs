using System.Security.Authentication;

namespace FleckChat.Server;

/// <summary>Why a connection did not become a WebSocket, in the few kinds worth counting apart.</summary>
internal enum HandshakeFailure
{
    /// <summary>400: a malformed or incomplete upgrade request, or no acceptable subprotocol.</summary>
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

    /// <summary>The TLS handshake failed.</summary>
    Tls,

    /// <summary>The client went away (reset, closed) during the handshake.</summary>
    Disconnected,

    /// <summary>Any other answer.</summary>
    Other,
}

internal static class HandshakeFailures
{
    /// <summary>Every kind, in declaration order (metrics list them all, zeros included).</summary>
    public static IReadOnlyList<HandshakeFailure> All { get; } = Enum.GetValues<HandshakeFailure>();

    public static HandshakeFailure FromStatus(int status) => status switch
    {
        400 => HandshakeFailure.BadRequest,
        403 => HandshakeFailure.Forbidden,
        404 => HandshakeFailure.NotFound,
        405 => HandshakeFailure.MethodNotAllowed,
        426 => HandshakeFailure.UpgradeRequired,
        431 => HandshakeFailure.RequestTooLarge,
        503 => HandshakeFailure.ServerFull,
        _ => HandshakeFailure.Other,
    };

    public static HandshakeFailure FromException(Exception exception) => exception switch
    {
        OperationCanceledException => HandshakeFailure.Timeout,
        AuthenticationException => HandshakeFailure.Tls,
        _ => HandshakeFailure.Disconnected,
    };

    /// <summary>A stable snake_case name for logs and metric labels.</summary>
    public static string Label(this HandshakeFailure failure) => failure switch
    {
        HandshakeFailure.BadRequest => "bad_request",
        HandshakeFailure.Forbidden => "forbidden",
        HandshakeFailure.NotFound => "not_found",
        HandshakeFailure.MethodNotAllowed => "method_not_allowed",
        HandshakeFailure.UpgradeRequired => "upgrade_required",
        HandshakeFailure.RequestTooLarge => "request_too_large",
        HandshakeFailure.ServerFull => "server_full",
        HandshakeFailure.Timeout => "timeout",
        HandshakeFailure.Tls => "tls",
        HandshakeFailure.Disconnected => "disconnected",
        _ => "other",
    };
}
