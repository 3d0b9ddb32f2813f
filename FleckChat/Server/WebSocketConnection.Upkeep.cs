using System.Net.WebSockets;

namespace FleckChat.Server;

/// <summary>The connection's counters, keep-alive, slow-consumer cut-off and close timing.</summary>
internal sealed partial class WebSocketConnection
{
    private static readonly OutboundMessage KeepAlivePing = OutboundMessage.Control(0x9, []);

    // Counters: each has one writer (the receive loop or the send loop); readers may see a value a moment old.
    private readonly long _openedAt;
    private long _messagesIn;
    private long _messagesOut;
    private long _bytesIn;
    private long _bytesOut;
    private int _closeCode;
    private string _closeReason = "";
    private Timer? _closeTimer;
    private long _pingSentAt;

    public ConnectionStatistics Statistics => new(
        new DateTimeOffset(_openedAt, TimeSpan.Zero), Volatile.Read(ref _messagesIn), Volatile.Read(ref _messagesOut),
        Volatile.Read(ref _bytesIn), Volatile.Read(ref _bytesOut), _closeCode == 0 ? null : _closeCode, _closeReason);

    /// <summary>Gives back the outgoing queue of a connection that has nothing to send (called now and then by the server).</summary>
    public void TrimIdle() => _sendLoop.TrimIdle();

    /// <summary>
    /// Keep-alive, called now and then by the server for every connection: a peer silent for
    /// <c>KeepAliveInterval</c> is pinged; one still silent <c>KeepAliveTimeout</c> after the ping is
    /// dead and its connection is dropped. Any bytes from the peer (a pong included) count as life.
    /// </summary>
    public void CheckKeepAlive(long now)
    {
        if (now - _stream.LastReceived < (long)Options.KeepAliveInterval.TotalMilliseconds)
        {
            _pingSentAt = 0;
        }
        else if (_pingSentAt == 0)
        {
            _pingSentAt = now;
            Post(KeepAlivePing);
        }
        else if (now - _pingSentAt >= (long)Options.KeepAliveTimeout.TotalMilliseconds)
        {
            Log.Debug("Connection {ConnectionId} did not answer a ping within {Timeout}; dropping it", Info.Id, Options.KeepAliveTimeout);
            NoteEnd(null, "keep-alive timeout");
            Abort();
        }
    }

    /// <summary>Records how the connection ended; the first code and the first reason win.</summary>
    private void NoteEnd(int? code, string reason)
    {
        if (_closeCode == 0 && code is { } c)
        {
            _closeCode = c;
        }

        if (_closeReason.Length == 0)
        {
            _closeReason = reason;
        }
    }

    private void Received(int bytes)
    {
        _messagesIn++;
        _bytesIn += bytes;
        _settings.Metrics.MessageReceived(bytes);
    }

    void ISendLoopOwner.OnSent(int messages, long bytes)
    {
        _messagesOut += messages;
        _bytesOut += bytes;
        _settings.Metrics.Written(messages, bytes);
    }

    void ISendLoopOwner.OnCloseSent(CloseRequest close)
    {
        NoteEnd((int)close.Status, close.Reason);

        // The peer has CloseTimeout to answer our close frame before the connection is dropped.
        _closeTimer = new Timer(static s => ((WebSocketConnection)s!).CloseTimedOut(), this, Options.CloseTimeout, Timeout.InfiniteTimeSpan);
    }

    void ISendLoopOwner.OnSendFailed(Exception exception)
    {
        Log.Debug(exception, "Send to connection {ConnectionId} failed", Info.Id);
        Abort();
    }

    void ISendLoopOwner.OnQueueOverflow(int droppedMessages, CloseRequest close)
    {
        _available = false;
        _settings.Metrics.SlowConsumerDisconnected();
        Log.Warning("Disconnecting slow consumer {ConnectionId} from {RemoteEndPoint}: outgoing queue full, {Dropped} messages dropped",
            Info.Id, Info.RemoteEndPoint, droppedMessages);
        NoteEnd(null, "slow consumer");
        _ = CutOffAsync(close);
    }

    /// <summary>
    /// A slow consumer's send loop may be stuck behind a full socket buffer, so the close frame gets
    /// CloseTimeout to go out; after that the connection is aborted. Never faults.
    /// </summary>
    private async Task CutOffAsync(CloseRequest close)
    {
        try
        {
            await close.Sent.WaitAsync(Options.CloseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.Debug("Connection {ConnectionId} did not take its close frame in time; aborting", Info.Id);
            Abort();
        }
    }

    private void CloseTimedOut()
    {
        if (_socket.State != WebSocketState.Closed)
        {
            Log.Debug("Connection {ConnectionId} did not answer the close frame in time; aborting", Info.Id);
            Abort();
        }
    }
}
