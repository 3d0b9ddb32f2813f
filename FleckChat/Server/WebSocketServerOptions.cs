namespace FleckChat.Server;

/// <summary>Limits and timings of the server layer. The server takes a copy when it starts.</summary>
internal sealed record WebSocketServerOptions
{
    /// <summary>A message larger than this closes the connection with 1009.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024;

    /// <summary>A request head larger than this gets 431.</summary>
    public int MaxRequestHeadBytes { get; init; } = 16 * 1024;

    /// <summary>A client that has not finished its handshake (TLS included) by then is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an idle connection is pinged; zero turns keep-alive off.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered before the peer counts as dead.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a peer has to answer our close frame, and a close frame has to leave.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>A connection whose outgoing queue holds this many messages is cut off (1008).</summary>
    public int SendQueueMessages { get; init; } = 1024;

    /// <summary>... or this many bytes.</summary>
    public long SendQueueBytes { get; init; } = 1024 * 1024;

    /// <summary>TCP_NODELAY on accepted sockets: frames leave at once instead of waiting for Nagle.</summary>
    public bool NoDelay { get; init; } = true;
}
