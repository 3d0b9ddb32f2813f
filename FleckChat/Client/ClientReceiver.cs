using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace FleckChat.Client;

/// <summary>
/// The client's receive loop for one connection: shows every text message as it arrives, answers the server's close
/// frame, and reports how the connection ended. Records when the last message arrived, so the
/// client can tell when the replies have drained.
/// </summary>
internal sealed class ClientReceiver
{
    private const int MaxMessageBytes = 16 * 1024 * 1024;

    private readonly ClientWebSocket _socket;
    private readonly Action<string> _show;
    private readonly TimeSpan _closeTimeout;
    private long _lastReceived;

    public ClientReceiver(ClientWebSocket socket, Action<string> show, TimeSpan closeTimeout)
    {
        _socket = socket;
        _show = show;
        _closeTimeout = closeTimeout;
    }

    /// <summary>The <see cref="Stopwatch"/> timestamp of the last message (0 before the first).</summary>
    public long LastReceived => Volatile.Read(ref _lastReceived);

    /// <summary>Runs until the connection ends; never throws.</summary>
    public async Task<ClientEnding> RunAsync()
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        if (length >= MaxMessageBytes)
                        {
                            return ClientEnding.Broken($"the server sent a message over {MaxMessageBytes} bytes");
                        }

                        Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxMessageBytes));
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).ConfigureAwait(false);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                Volatile.Write(ref _lastReceived, Stopwatch.GetTimestamp());
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return await ClosedAsync().ConfigureAwait(false);
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    _show(Encoding.UTF8.GetString(buffer, 0, length));
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            return ClientEnding.Broken(ex.Message);
        }
    }

    /// <summary>Answers a close the server started, as RFC 6455 asks, and reports its code and reason.</summary>
    private async Task<ClientEnding> ClosedAsync()
    {
        var ending = new ClientEnding((int?)_socket.CloseStatus, _socket.CloseStatusDescription ?? "", null);
        if (_socket.State == WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_closeTimeout);
                await _socket.CloseOutputAsync(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
            {
                // The server is gone already: nothing more to say to it.
            }
        }

        return ending;
    }
}
