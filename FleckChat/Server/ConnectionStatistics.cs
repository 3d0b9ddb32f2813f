namespace FleckChat.Server;

/// <summary>
/// Per-connection counters. Each field has a single writer (the receive loop or the send loop),
/// so plain increments suffice; readers on other threads may see a value a moment old.
/// </summary>
internal sealed class ConnectionStatistics
{
    private long _messagesIn;
    private long _messagesOut;
    private long _bytesIn;
    private long _bytesOut;

    public ConnectionStatistics(DateTimeOffset openedAt) => OpenedAt = openedAt;

    public DateTimeOffset OpenedAt { get; }

    public long MessagesIn => Volatile.Read(ref _messagesIn);

    public long MessagesOut => Volatile.Read(ref _messagesOut);

    public long BytesIn => Volatile.Read(ref _bytesIn);

    public long BytesOut => Volatile.Read(ref _bytesOut);

    /// <summary>The close code the connection ended with (sent or received), or null if it broke.</summary>
    public int? CloseCode { get; internal set; }

    /// <summary>Why the connection ended, in a few words (close reason or error).</summary>
    public string CloseReason { get; internal set; } = "";

    internal void Received(int bytes)
    {
        _messagesIn++;
        _bytesIn += bytes;
    }

    internal void Sent(int bytes)
    {
        _messagesOut++;
        _bytesOut += bytes;
    }
}
