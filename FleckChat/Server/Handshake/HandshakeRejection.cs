namespace FleckChat.Server.Handshake;

/// <summary>Why a request did not become a WebSocket: the HTTP status to answer with and a short reason.</summary>
internal sealed record HandshakeRejection(int Status, string Reason, IReadOnlyList<KeyValuePair<string, string>> ExtraHeaders)
{
    public HandshakeRejection(int status, string reason)
        : this(status, reason, [])
    {
    }

    public static HandshakeRejection BadRequest(string reason) => new(400, reason);
}
