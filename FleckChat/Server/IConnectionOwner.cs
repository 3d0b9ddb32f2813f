namespace FleckChat.Server;

/// <summary>Told when a connection has ended, just before its OnClose handler runs.</summary>
internal interface IConnectionOwner
{
    void ConnectionEnded(WebSocketConnection connection);
}

/// <summary>What a client in its handshake tells the server that tracks it.</summary>
internal interface ISessionTracker : IConnectionOwner
{
    /// <summary>The handshake failed or the client left: the session is done.</summary>
    void HandshakeEnded(ClientSession session);

    /// <summary>The handshake succeeded: the server tracks the connection from now on. False when the server is stopping.</summary>
    bool HandedOver(ClientSession session, WebSocketConnection connection);
}
