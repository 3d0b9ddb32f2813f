using System.Buffers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using FleckChat.Server.Transport;

namespace FleckChat.Server;

/// <summary>The connection's life: open, the receive loop, close.</summary>
internal sealed partial class WebSocketConnection
{
    private const int InitialReceiveBufferSize = 4096;

    /// <summary>
    /// Raises OnOpen, reads until the connection ends, then raises OnClose. Handlers run on this one
    /// logical flow, so they are never concurrent. Never throws.
    /// </summary>
    private async Task RunAsync()
    {
        _settings.Metrics.ConnectionOpened();
        Log.Debug("Connection {ConnectionId} from {RemoteEndPoint} opened on {Path}", Info.Id, Info.RemoteEndPoint, Info.Path);
        try
        {
            Invoke(OnOpen, nameof(OnOpen));
            while (true)
            {
                // A zero-byte receive waits for the next frame without holding a buffer: an idle
                // connection costs no receive memory. Pings, pongs and the close handshake are handled
                // inside the WebSocket; only a data frame or a close comes back here.
                var first = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                if (first.MessageType == WebSocketMessageType.Close || !await ReceiveMessageAsync(first).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (IsDisconnect(ex))
        {
            Log.Debug(ex, "Connection {ConnectionId} ended: {Reason}", Info.Id, ex.Message);
            NoteError(ex);
            RaiseError(ex);
        }
        catch (Exception ex)
        {
            Log.Error(ex, "Unexpected error on connection {ConnectionId}", Info.Id);
            NoteError(ex);
            RaiseError(ex);
        }
        finally
        {
            await EndAsync().ConfigureAwait(false);
        }
    }

    /// <returns>false when the connection is closing and the loop should stop.</returns>
    private async Task<bool> ReceiveMessageAsync(ValueWebSocketReceiveResult first)
    {
        int max = Options.MaxMessageBytes;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialReceiveBufferSize, max + 1));
        int length = 0;
        var result = first;
        try
        {
            while (!result.EndOfMessage)
            {
                if (length == buffer.Length)
                {
                    buffer = Grow(buffer, length, max + 1);
                }

                result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return false;
                }

                length += result.Count;
                if (length > max)
                {
                    // The observer has normally refused this message at its header already.
                    RefuseTooBig();
                    await DiscardUntilCloseAsync().ConfigureAwait(false);
                    return false;
                }
            }

            Received(length);
            if (first.MessageType == WebSocketMessageType.Text)
            {
                Invoke(OnMessage, Encoding.UTF8.GetString(buffer, 0, length), nameof(OnMessage));
            }
            else
            {
                Invoke(OnBinary, buffer.AsSpan(0, length).ToArray(), nameof(OnBinary));
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Grow(byte[] buffer, int length, int limit)
    {
        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(buffer.Length * 2, length + 1), limit));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    int IFrameListener.MaxMessageBytes => Options.MaxMessageBytes;

    /// <summary>Called by the observer as soon as a frame header takes a message over the limit.</summary>
    void IFrameListener.MessageTooBig() => RefuseTooBig();

    /// <summary>
    /// Called by the observer before the WebSocket sees the close frame: our 1007 must leave first, or
    /// the WebSocket answers 1002 on its own. The peer is leaving, so what is queued for it is dropped.
    /// </summary>
    Task IFrameListener.InvalidCloseReason()
    {
        Log.Debug("Connection {ConnectionId} sent a close reason that is not UTF-8; closing with 1007", Info.Id);
        _available = false;
        return CutOffAsync(_sendLoop.RequestClose(WebSocketCloseStatus.InvalidPayloadData, "close reason not UTF-8", dropQueued: true));
    }

    /// <summary>Over the size limit: close with 1009, once (a connection already closing is left alone).</summary>
    private void RefuseTooBig()
    {
        if (!_available)
        {
            return;
        }

        Log.Information("Connection {ConnectionId} from {RemoteEndPoint} sent a message over {MaxMessageBytes} bytes; closing with 1009",
            Info.Id, Info.RemoteEndPoint, Options.MaxMessageBytes);
        Close((int)WebSocketCloseStatus.MessageTooBig, $"message over {Options.MaxMessageBytes} bytes");
    }

    /// <summary>
    /// After a refusal: throw away whatever the client still sends until its close frame arrives (or
    /// the close timeout aborts the connection). Nothing more is buffered.
    /// </summary>
    private async Task DiscardUntilCloseAsync()
    {
        byte[] scratch = ArrayPool<byte>.Shared.Rent(InitialReceiveBufferSize);
        try
        {
            while ((await _socket.ReceiveAsync(scratch.AsMemory(), CancellationToken.None).ConfigureAwait(false)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Answers a close the peer started (echoing its code), waits briefly for our frames to leave,
    /// raises OnClose and releases the socket.
    /// </summary>
    private async Task EndAsync()
    {
        _available = false;
        try
        {
            if (_socket.State == WebSocketState.CloseReceived)
            {
                var status = _socket.CloseStatus is { } s && s != WebSocketCloseStatus.Empty ? s : WebSocketCloseStatus.NormalClosure;
                NoteEnd((int?)_socket.CloseStatus ?? (int)WebSocketCloseStatus.Empty, _socket.CloseStatusDescription ?? "");
                await _sendLoop.RequestClose(status, _socket.CloseStatusDescription ?? "", dropQueued: true).Sent
                    .WaitAsync(Options.CloseTimeout).ConfigureAwait(false);
            }
            else if (_socket.State == WebSocketState.Closed)
            {
                NoteEnd((int?)_socket.CloseStatus, _socket.CloseStatusDescription ?? "");
            }

            _sendLoop.Complete();
            await _stream.FlushPendingAsync().AsTask().WaitAsync(Options.CloseTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDisconnect(ex) || ex is TimeoutException)
        {
            Log.Debug(ex, "Connection {ConnectionId}: close handshake cut short", Info.Id);
        }
        finally
        {
            _sendLoop.Complete();
            _closeTimer?.Dispose();
            _settings.Metrics.ConnectionClosed();
            _owner?.ConnectionEnded(this);
            Log.Debug("Connection {ConnectionId} closed: {CloseCode} {CloseReason}", Info.Id, _closeCode, _closeReason);
            Invoke(OnClose, nameof(OnClose));
            _socket.Dispose();
        }
    }

    private void NoteError(Exception ex) =>
        NoteEnd(null, ex is WebSocketException or IOException ? ex.Message : ex.GetType().Name);

    internal static bool IsDisconnect(Exception ex) =>
        ex is WebSocketException or IOException or SocketException or OperationCanceledException or ObjectDisposedException;
}
