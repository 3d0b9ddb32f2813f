using System.Net.Sockets;

namespace FleckChat.Server.Transport;

/// <summary>
/// A plain TCP connection as a stream, like <see cref="NetworkStream"/> but sending through
/// <see cref="PooledSend"/>, so a connection keeps no send state between sends. Reads use the socket's
/// own (cached) receive operation, which a waiting connection needs anyway.
/// </summary>
internal sealed class SocketStream : AsyncOnlyStream
{
    private readonly Socket _socket;

    public SocketStream(Socket socket) => _socket = socket;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        PooledSend.SendAsync(_socket, buffer);

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }
}
