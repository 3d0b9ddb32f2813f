namespace FleckChat.Server;

/// <summary>
/// Server-wide counters, updated with interlocked operations from the connection loops: counting
/// takes no lock and never slows the message path.
/// </summary>
internal sealed class ServerMetrics
{
    private long _accepted;
    private long _open;
    private long _messagesReceived;
    private long _messagesSent;
    private long _bytesReceived;
    private long _bytesSent;
    private long _slowConsumers;
    private long _socketWrites;
    private long _handshakeFailures;
    private readonly long[] _handshakeFailuresByKind = new long[Enum.GetValues<HandshakeFailure>().Length];

    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    public long ConnectionsOpen => Interlocked.Read(ref _open);

    public long MessagesReceived => Interlocked.Read(ref _messagesReceived);

    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long SlowConsumerDisconnects => Interlocked.Read(ref _slowConsumers);

    public long HandshakeFailures => Interlocked.Read(ref _handshakeFailures);

    public long HandshakeFailuresOf(HandshakeFailure kind) => Interlocked.Read(ref _handshakeFailuresByKind[(int)kind]);

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _accepted);
        Interlocked.Increment(ref _open);
    }

    public void ConnectionClosed() => Interlocked.Decrement(ref _open);

    public void MessageReceived(int bytes)
    {
        Interlocked.Increment(ref _messagesReceived);
        Interlocked.Add(ref _bytesReceived, bytes);
    }

    /// <summary>One socket write carrying <paramref name="messages"/> messages (counted per write, not per message).</summary>
    public void Written(int messages, long bytes)
    {
        Interlocked.Increment(ref _socketWrites);
        Interlocked.Add(ref _messagesSent, messages);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    /// <summary>Socket writes made by the send loops: a burst of messages to one client is one write.</summary>
    public long SocketWrites => Interlocked.Read(ref _socketWrites);

    /// <summary>Unfinished handshakes reset to make room for newer connections.</summary>

    public void SlowConsumerDisconnected() => Interlocked.Increment(ref _slowConsumers);

    public void HandshakeFailed(HandshakeFailure kind)
    {
        Interlocked.Increment(ref _handshakeFailures);
        Interlocked.Increment(ref _handshakeFailuresByKind[(int)kind]);
    }
}
