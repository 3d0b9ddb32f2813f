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

    Action<Exception> OnError { get; set; }

    IWebSocketConnectionInfo ConnectionInfo { get; }

    /// <summary>True from the handshake until the connection starts closing.</summary>
    bool IsAvailable { get; }

    /// <summary>Counters kept for this connection (not part of Fleck's interface).</summary>
    ConnectionStatistics Statistics { get; }

    /// <summary>
    /// Queues a text message. Never blocks and never throws; a message for a connection that is gone
    /// is dropped, and a connection whose outgoing queue is full is cut off (1008).
    /// </summary>
    void Send(string message);

    void Send(byte[] message);

    /// <summary>
    /// Queues an already framed message (the relay path: one frame shared by every recipient). Returns
    /// false if the connection is gone or its outgoing queue overflowed (the connection is then cut off).
    /// </summary>
    bool Post(OutboundMessage message);

    /// <summary>Closes with 1000 after the queued messages are sent.</summary>
    void Close();

    void Close(int code);

    void Close(int code, string reason);
}
