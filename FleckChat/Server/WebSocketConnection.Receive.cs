using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace FleckChat.Server;

/// <summary>Receiving: waiting for a message without a buffer, reading it, the size limit, and the counters of what came in.</summary>
internal sealed partial class WebSocketConnection
{
    private const int InitialReceiveBufferSize = 4096;

    // Written by the receive flow only; Statistics may read a value a moment old.
    private long _messagesIn;
    private long _bytesIn;

    /// <summary>
    /// Waits for the next data frame (or the close) without holding a buffer: an idle connection costs
    /// no receive memory. Pings, pongs and the close handshake are handled inside the WebSocket.
    /// </summary>
    internal ValueTask<ValueWebSocketReceiveResult> NextMessageAsync() => _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);

    /// <summary>Reads the message <paramref name="first"/> announced and raises OnMessage or OnBinary.</summary>
    /// <returns>false when the connection is closing and the loop should stop.</returns>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<bool> ReceiveMessageAsync(ValueWebSocketReceiveResult first)
    {
        if (first.MessageType == WebSocketMessageType.Close)
        {
            return false;
        }

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
                    // The frame observer has normally refused this message at its header already.
                    RefuseTooBig();
                    await DiscardUntilCloseAsync().ConfigureAwait(false);
                    return false;
                }
            }

            Volatile.Write(ref _messagesIn, _messagesIn + 1);
            Volatile.Write(ref _bytesIn, _bytesIn + length);
            _settings.Metrics.MessageReceived(length);
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

    /// <summary>Over the size limit (told by the frame observer at the header): close with 1009, once.</summary>
    internal void RefuseTooBig()
    {
        if (!_available)
        {
            return;
        }

        Log.Information("Connection {ConnectionId} from {RemoteEndPoint} sent a message over {MaxMessageBytes} bytes; closing with 1009",
            Info.Id, Info.RemoteEndPoint, Options.MaxMessageBytes);
        Close((int)WebSocketCloseStatus.MessageTooBig, $"message over {Options.MaxMessageBytes} bytes");
    }

    private static byte[] Grow(byte[] buffer, int length, int limit)
    {
        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(buffer.Length * 2, length + 1), limit));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    /// <summary>After a refusal: throw away what the client still sends until its close frame (or the close timeout).</summary>
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
}
