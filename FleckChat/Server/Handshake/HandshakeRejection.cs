namespace FleckChat.Server.Handshake;

/// <summary>Why a request did not become a WebSocket: the HTTP status to answer with and a short reason.</summary>
internal sealed record HandshakeRejection(int Status, string Reason, IReadOnlyList<KeyValuePair<string, string>> ExtraHeaders)
{
    public HandshakeRejection(int status, string reason)
        : this(status, reason, [])
    {
    }

    public static HandshakeRejection BadRequest(string reason) => new(400, reason);

    /// <summary>The kind of failure this answer is counted as.</summary>
    public HandshakeFailure Kind => Status switch
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
}
