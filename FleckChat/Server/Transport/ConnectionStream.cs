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
/// .NET's WebSocket calls FlushAsync after every frame; while coalescing that call does nothing, and
/// the send loop flushes at the end of its burst. Frames the WebSocket writes by itself (keep-alive,
/// pong replies, close) go straight through when the send loop is idle, or join the burst when it is not.
/// Writes are serialised by a lock, so a control frame injected by <see cref="WriteFrameAsync"/>
/// never lands inside another frame.
/// </summary>
internal sealed class ConnectionStream : AsyncOnlyStream
{
    private const int PendingBufferSize = 16 * 1024;

    private readonly Stream _inner;
    private readonly ControlFrameObserver? _observer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private byte[]? _prefix;
    private int _prefixOffset;
    private byte[]? _pending;
    private int _pendingCount;
    private volatile bool _coalesce;
    private volatile bool _disposed;
    private long _lastReceived = Environment.TickCount64;

    public ConnectionStream(Stream inner, byte[] prefix, ControlFrameObserver? observer)
    {
        _inner = inner;
        _prefix = prefix.Length > 0 ? prefix : null;
        _observer = observer;
    }

    /// <summary>While true, writes wait in a buffer until <see cref="FlushPendingAsync"/>.</summary>
    public bool Coalesce
    {
        get => _coalesce;
        set => _coalesce = value;
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

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_coalesce && _pendingCount == 0)
            {
                await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (_pendingCount + buffer.Length > PendingBufferSize && _pendingCount > 0)
            {
                await WritePendingLockedAsync(cancellationToken).ConfigureAwait(false);
            }

            if (buffer.Length >= PendingBufferSize)
            {
                await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                return;
            }

            _pending ??= ArrayPool<byte>.Shared.Rent(PendingBufferSize);
            buffer.Span.CopyTo(_pending.AsSpan(_pendingCount));
            _pendingCount += buffer.Length;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Called by the WebSocket after each frame: deferred while coalescing.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _coalesce ? Task.CompletedTask : FlushPendingAsync(cancellationToken).AsTask();

    /// <summary>Writes out whatever the burst gathered, in one write.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushPendingAsync(CancellationToken cancellationToken = default)
    {
        if (_disposed)
        {
            // The WebSocket disposes its stream once the close handshake is complete: nothing left to send.
            return;
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WritePendingLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes one whole frame the caller has built (a ping or pong we send ourselves).</summary>
    public ValueTask WriteFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        WriteAsync(frame, cancellationToken);

    private async ValueTask WritePendingLockedAsync(CancellationToken cancellationToken)
    {
        if (_pending is not { } pending || _pendingCount == 0)
        {
            return;
        }

        int count = _pendingCount;
        _pendingCount = 0;
        _pending = null;
        try
        {
            await _inner.WriteAsync(pending.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pending);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _disposed = true;
            // A pending buffer still held here is left to the GC rather than returned to the pool:
            // a send loop that has not noticed the end yet may still be copying into it.
            _pending = null;
            _inner.Dispose();
            _writeLock.Dispose();
        }

        base.Dispose(disposing);
    }
}
