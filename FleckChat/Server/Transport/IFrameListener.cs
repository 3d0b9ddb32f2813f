namespace FleckChat.Server.Transport;

/// <summary>What a <see cref="ControlFrameObserver"/> reports, and the limit it checks data frames against.</summary>
internal interface IFrameListener
{
    /// <summary>The largest message (all its fragments together) the peer may send, in bytes.</summary>
    int MaxMessageBytes { get; }

    /// <summary>Each ping (0x9) and pong (0xA) the peer sends, with its unmasked payload.</summary>
    void ControlFrameReceived(byte opcode, byte[] payload);

    /// <summary>A data frame header took the current message over <see cref="MaxMessageBytes"/>; its payload has not arrived yet.</summary>
    void MessageTooBig();

    /// <summary>
    /// The peer sent a close frame whose reason is not UTF-8; the WebSocket has not seen it yet.
    /// Returns a task that completes once our close frame has gone out (or given up on); never faults.
    /// </summary>
    Task InvalidCloseReason();
}
