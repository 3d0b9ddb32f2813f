using System.Buffers;
using System.Runtime.CompilerServices;

namespace FleckChat.Server.Transport;

/// <summary>
/// The stream a server-side WebSocket runs over. It does three small things for the layer above:
/// <list type="bullet">
/// <item>replays the bytes a client sent right after its handshake (they were read with the request head);</item>
/// <item>shows every byte read to a <see cref="ControlFrameObserver"/>, so pings and pongs can be reported;</item>
/// <item>gathers writes while <see cref="Coalesce"/> is on and sends them with one write in
/// <see cref="FlushPendingAsync"/>: the send loop turns a burst of frames into one syscall.</item>
/// </list>
/// The write side is in ConnectionStream.Write.cs.
/// </summary>
internal sealed partial class ConnectionStream : AsyncOnlyStream
{
    private readonly Stream _inner;
    private readonly ControlFrameObserver? _observer;
    private byte[]? _prefix;
    private int _prefixOffset;
    private long _lastReceived = Environment.TickCount64;

    public ConnectionStream(Stream inner, byte[] prefix, ControlFrameObserver? observer)
    {
        _inner = inner;
        _prefix = prefix.Length > 0 ? prefix : null;
        _observer = observer;
    }

    /// <summary>When bytes last arrived from the peer (<see cref="Environment.TickCount64"/>), for keep-alive.</summary>
    public long LastReceived => Volatile.Read(ref _lastReceived);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_prefix is not null)
        {
            return new ValueTask<int>(ReadPrefix(buffer.Span));
        }

        // The WebSocket waits for an idle peer with a zero-byte read: pass it straight down, so that
        // while a connection is idle nothing of ours (no state machine, no buffer) is held for it.
        return buffer.IsEmpty ? _inner.ReadAsync(buffer, cancellationToken) : ReadAndObserveAsync(buffer, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadAndObserveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            Volatile.Write(ref _lastReceived, Environment.TickCount64);
            _observer?.Observe(buffer.Span[..read]);
        }

        return read;
    }

    private int ReadPrefix(Span<byte> destination)
    {
        var prefix = _prefix!;
        int read = Math.Min(destination.Length, prefix.Length - _prefixOffset);
        prefix.AsSpan(_prefixOffset, read).CopyTo(destination);
        _observer?.Observe(prefix.AsSpan(_prefixOffset, read));
        _prefixOffset += read;
        if (_prefixOffset == prefix.Length)
        {
            _prefix = null;
        }

        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (this)
            {
                // A pending buffer still held here is left to the GC rather than returned to the pool:
                // a flush that has not noticed the end yet may still be writing from it.
                _disposed = true;
                _pending = null;
                _pendingCount = 0;
            }

            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
