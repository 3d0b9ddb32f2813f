namespace FleckChat.Server.Handshake;

/// <summary>A complete plain-HTTP answer (the connection closes after it).</summary>
internal sealed record HttpResponse(int Status, string ContentType, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public HttpResponse(int status, string contentType, byte[] body)
        : this(status, contentType, body, [])
    {
    }
}
