using System.Buffers;

namespace FleckChat.Server.Transport;

/// <summary>
/// The write side, the connection's one writer. Every frame (ours, posted through
/// <see cref="Enqueue"/>, and the WebSocket's own pongs and close frames, written through
/// <see cref="WriteAsync"/>) is appended whole to one pending buffer under a short gate, so frames
/// never interleave. One drain at a time takes the whole buffer and writes it with one socket write,
/// then looks again: a burst of messages to one member costs one syscall. It runs on the thread
/// pool for posted frames (the broadcaster never waits for a socket) and inline for the WebSocket's.
/// An idle connection holds no buffer. The buffer is bounded: a member whose backlog exceeds the
/// send-queue limits is not reading, and <see cref="Enqueue"/> reports the overflow once.
/// </summary>
internal sealed partial class ConnectionStream : IThreadPoolWorkItem
{
    private const int InitialPendingSize = 4 * 1024;
    private const byte OpClose = 0x8;

    private SpinGate _gate;
    private byte[]? _pending;
    private int _pendingCount;
    private int _pendingFrames;
    private long _pendingPayload;
    private bool _draining;
    private bool _dataEnded;
    private bool _broken;
    private TaskCompletionSource? _drained;
    private long _framesOut;
    private long _payloadOut;

    /// <summary>Data frames written to the socket so far (keep-alive pings included).</summary>
    public long FramesOut => Volatile.Read(ref _framesOut);

    /// <summary>Their payload bytes.</summary>
    public long PayloadOut => Volatile.Read(ref _payloadOut);

    /// <summary>Queues a frame behind the ones waiting; never blocks. Called by any thread.</summary>
    /// <returns>
    /// <see cref="EnqueueResult.Overflow"/> once, when the frame would take the backlog over the limits
    /// (the backlog is dropped and no data frame is taken any more); <see cref="EnqueueResult.Closed"/>
    /// after that, after a close frame, or once the connection broke.
    /// </returns>
    public EnqueueResult Enqueue(OutboundMessage message)
    {
        var options = _settings.Options;
        using (_gate.Enter())
        {
            if (_dataEnded)
            {
                return EnqueueResult.Closed;
            }

            if (_pendingFrames >= options.SendQueueMessages ||
                (_pendingFrames > 0 && _pendingPayload + message.PayloadLength > options.SendQueueBytes))
            {
                DropPending();
                _dataEnded = true;
                return EnqueueResult.Overflow;
            }

            Append(message.Frame);
            _pendingFrames++;
            _pendingPayload += message.PayloadLength;
            if (_draining)
            {
                return EnqueueResult.Queued;
            }

            _draining = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return EnqueueResult.Queued;
    }

    /// <summary>
    /// The WebSocket's own frames (pongs, close frames): appended after what is queued and written at
    /// once. A close frame ends the data: nothing may follow it.
    /// </summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Task drained;
        bool start;
        using (_gate.Enter())
        {
            if (_broken)
            {
                return ValueTask.FromException(new IOException("The connection is closed."));
            }

            Append(buffer.Span);
            _dataEnded |= !buffer.IsEmpty && (buffer.Span[0] & 0x0F) == OpClose;
            drained = (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            start = !_draining;
            _draining = true;
        }

        if (start)
        {
            Drain();
        }

        return new ValueTask(drained);
    }

    /// <summary>Every write is flushed by <see cref="WriteAsync"/> already.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Completes once everything queued so far has been handed to the socket (or the connection broke).</summary>
    public Task WhenDrainedAsync()
    {
        using (_gate.Enter())
        {
            return _draining ? (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task : Task.CompletedTask;
        }
    }

    /// <summary>Forgets the frames not yet written: the peer is leaving, or gets a close frame instead.</summary>
    public void DropQueued()
    {
        using (_gate.Enter())
        {
            DropPending();
        }
    }

    void IThreadPoolWorkItem.Execute() => Drain();

    /// <summary>
    /// Writes the pending buffer, looks again, and stops when nothing is pending. Continues
    /// asynchronously only when the socket is full. Never throws: a failed write ends the connection.
    /// </summary>
    private void Drain()
    {
        while (Take(out var buffer, out int count, out int frames, out long payload))
        {
            ValueTask write;
            try
            {
                write = _inner.WriteAsync(buffer.AsMemory(0, count));
            }
            catch (Exception ex)
            {
                Failed(buffer, ex);
                return;
            }

            if (!write.IsCompletedSuccessfully)
            {
                _ = FinishWriteAsync(write, buffer, frames, payload);
                return;
            }

            Written(buffer, frames, payload);
        }
    }

    /// <summary>A write the socket could not take at once: wait for it, then drain on. Never throws.</summary>
    private async Task FinishWriteAsync(ValueTask write, byte[] buffer, int frames, long payload)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Failed(buffer, ex);
            return;
        }

        Written(buffer, frames, payload);
        Drain();
    }

    /// <returns>false, with the drain over and its waiters told, when nothing is pending.</returns>
    private bool Take(out byte[] buffer, out int count, out int frames, out long payload)
    {
        TaskCompletionSource? waiters;
        using (_gate.Enter())
        {
            if (_pendingCount > 0 && !_broken)
            {
                (buffer, count, frames, payload) = (_pending!, _pendingCount, _pendingFrames, _pendingPayload);
                _pending = null;
                _pendingCount = 0;
                _pendingFrames = 0;
                _pendingPayload = 0;
                return true;
            }

            _draining = false;
            waiters = _drained;
            _drained = null;
        }

        waiters?.TrySetResult();
        (buffer, count, frames, payload) = (null!, 0, 0, 0);
        return false;
    }

    private void Written(byte[] buffer, int frames, long payload)
    {
        ArrayPool<byte>.Shared.Return(buffer);
        Volatile.Write(ref _framesOut, _framesOut + frames);
        Volatile.Write(ref _payloadOut, _payloadOut + payload);
        _settings.Metrics.Written(frames, payload);
    }

    private void Failed(byte[] buffer, Exception ex)
    {
        ArrayPool<byte>.Shared.Return(buffer);
        TaskCompletionSource? waiters;
        using (_gate.Enter())
        {
            _broken = true;
            _dataEnded = true;
            _draining = false;
            DropPending();
            waiters = _drained;
            _drained = null;
        }

        waiters?.TrySetException(ex);
        _connection.SendFailed(ex);
    }

    /// <summary>Appends under the gate, growing the pending buffer (pooled) when needed.</summary>
    private void Append(ReadOnlySpan<byte> data)
    {
        int needed = _pendingCount + data.Length;
        if (_pending is null || needed > _pending.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(InitialPendingSize, (_pending?.Length ?? 0) * 2)));
            if (_pending is not null)
            {
                _pending.AsSpan(0, _pendingCount).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_pending);
            }

            _pending = larger;
        }

        data.CopyTo(_pending.AsSpan(_pendingCount));
        _pendingCount = needed;
    }

    /// <summary>Under the gate: the pending buffer is not being written (a drain takes it first), so it goes back to the pool.</summary>
    private void DropPending()
    {
        if (_pending is not null)
        {
            ArrayPool<byte>.Shared.Return(_pending);
        }

        _pending = null;
        _pendingCount = 0;
        _pendingFrames = 0;
        _pendingPayload = 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            using (_gate.Enter())
            {
                _broken = true;
                _dataEnded = true;
                DropPending();
            }

            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
