using System.Buffers;
using System.Runtime.CompilerServices;

namespace FleckChat.Server.Transport;

/// <summary>
/// The stream a server-side WebSocket runs over. It does three small things for the layer above:
/// <list type="bullet">
/// <item>replays the bytes a client sent right after its handshake (they were read with the request head);</item>
/// <item>shows every byte read to a <see cref="ControlFrameObserver"/> (pings, pongs, oversized messages,
/// bad close reasons) and, when it asks, holds those bytes back until our close frame has gone out;</item>
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
            return ReadPrefix(buffer.Span);
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
            if (_observer?.Observe(buffer.Span[..read]) is { } first)
            {
                await first.ConfigureAwait(false);
            }
        }

        return read;
    }

    private ValueTask<int> ReadPrefix(Span<byte> destination)
    {
        var prefix = _prefix!;
        int read = Math.Min(destination.Length, prefix.Length - _prefixOffset);
        prefix.AsSpan(_prefixOffset, read).CopyTo(destination);
        var first = _observer?.Observe(prefix.AsSpan(_prefixOffset, read));
        _prefixOffset += read;
        if (_prefixOffset == prefix.Length)
        {
            _prefix = null;
        }

        return first is null ? new ValueTask<int>(read) : AfterAsync(first, read);
    }

    private static async ValueTask<int> AfterAsync(Task first, int read)
    {
        await first.ConfigureAwait(false);
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            using (_gate.Enter())
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
