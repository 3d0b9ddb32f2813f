namespace FleckChat.Server;

/// <summary>
/// One WebSocket client, in Fleck's shape: the server raises the handler properties and the
/// application sends through the methods. Handlers for one connection run one at a time and in
/// order (open, then messages, then close); an exception thrown by a handler is logged and
/// reported to <see cref="OnError"/>, never to the server.
/// </summary>
internal interface IWebSocketConnection
{
    Action OnOpen { get; set; }

    Action OnClose { get; set; }

    Action<string> OnMessage { get; set; }

    Action<byte[]> OnBinary { get; set; }

    /// <summary>Raised for each ping the client sends. The pong reply is automatic.</summary>
    Action<byte[]> OnPing { get; set; }

    Action<byte[]> OnPong { get; set; }

    Action<Exception> OnError { get; set; }

    IWebSocketConnectionInfo ConnectionInfo { get; }

    /// <summary>True from the handshake until the connection starts closing.</summary>
    bool IsAvailable { get; }

    /// <summary>Counters kept for this connection (not part of Fleck's interface).</summary>
    ConnectionStatistics Statistics { get; }

    /// <summary>
    /// Queues a text message. Never blocks and never throws: the task completes once the frame is
    /// handed to the socket, and faults with <see cref="ConnectionNotAvailableException"/> if the
    /// connection is gone or the message could not be queued.
    /// </summary>
    Task Send(string message);

    Task Send(byte[] message);

    Task SendPing(byte[] message);

    Task SendPong(byte[] message);

    /// <summary>
    /// Queues an already encoded message without allocating a task: the relay path. Returns false if
    /// the connection is gone or its outgoing queue overflowed (the connection is then cut off).
    /// </summary>
    bool Post(OutboundMessage message);

    /// <summary>Closes with 1000 after the queued messages are sent.</summary>
    void Close();

    void Close(int code);

    void Close(int code, string reason);
}
