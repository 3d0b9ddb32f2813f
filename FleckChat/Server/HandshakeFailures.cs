using System.Security.Authentication;

namespace FleckChat.Server;

/// <summary>Classifies handshake failures, and names them for logs and metric labels.</summary>
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
        HandshakeFailure.Shed => "shed",
        HandshakeFailure.Tls => "tls",
        HandshakeFailure.Disconnected => "disconnected",
        _ => "other",
    };
}
