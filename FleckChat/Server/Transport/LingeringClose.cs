using System.Buffers;
using System.Net.Sockets;

namespace FleckChat.Server.Transport;

/// <summary>
/// Closes a socket after an HTTP error response without losing that response: closing a socket
/// with unread input makes Linux send a reset, which can destroy the response before the client
/// reads it. So: stop sending, read and discard what the client still sends (briefly), then close.
/// </summary>
internal static class LingeringClose
{
    private const int MaxDiscardBytes = 64 * 1024;

    public static async Task RunAsync(Socket socket, TimeSpan linger)
    {
        byte[] scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            socket.Shutdown(SocketShutdown.Send);
            using var timeout = new CancellationTokenSource(linger);
            int discarded = 0;
            while (discarded < MaxDiscardBytes)
            {
                int read = await socket.ReceiveAsync(scratch, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                discarded += read;
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or took too long: either way we are done with it.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
            socket.Dispose();
        }
    }
}
