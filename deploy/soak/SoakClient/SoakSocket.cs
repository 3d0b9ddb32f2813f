using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace FleckChat.Soak;

/// <summary>
/// A <see cref="ClientWebSocket"/> that keeps hold of its TCP socket, so that the soak can end a
/// connection the way real clients do besides the close handshake: a reset (RST) or a bare FIN.
/// </summary>
internal sealed class SoakSocket : IDisposable
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly HttpMessageInvoker _invoker;
    private Socket? _socket;

    private SoakSocket()
    {
        // One handler per connection: the connect callback is the only place the Socket is visible.
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                _socket = socket;
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        _invoker = new HttpMessageInvoker(handler);
        WebSocket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    public ClientWebSocket WebSocket { get; } = new();

    public static async Task<SoakSocket> ConnectAsync(Uri url, TimeSpan timeout)
    {
        var soakSocket = new SoakSocket();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await soakSocket.WebSocket.ConnectAsync(url, soakSocket._invoker, cts.Token);
            return soakSocket;
        }
        catch
        {
            soakSocket.Dispose();
            throw;
        }
    }

    /// <summary>The next text message, or null once the server's close frame arrived.</summary>
    /// <remarks>Cancelling a receive aborts a ClientWebSocket; pass a token only as a last-resort deadline.</remarks>
    public async Task<string?> ReceiveTextAsync(CancellationToken cancellationToken)
    {
        int have = 0;
        while (true)
        {
            if (have == _buffer.Length)
            {
                throw new InvalidDataException($"a message longer than {_buffer.Length} bytes");
            }

            var result = await WebSocket.ReceiveAsync(_buffer.AsMemory(have), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            have += result.Count;
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(_buffer, 0, have);
            }
        }
    }

    public Task SendTextAsync(string text) =>
        WebSocket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>Ends the TCP connection with a reset: no close frame, no FIN (SO_LINGER 0).</summary>
    public void Reset()
    {
        if (_socket is { } socket)
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }

        WebSocket.Abort();
    }

    /// <summary>Ends the TCP connection with a FIN but without a WebSocket close frame.</summary>
    public void Drop()
    {
        if (_socket is { } socket)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already gone: the drop happened anyway.
            }

            socket.Close();
        }

        WebSocket.Abort();
    }

    public void Dispose()
    {
        WebSocket.Dispose();
        _invoker.Dispose();
        _socket?.Dispose();
    }
}
