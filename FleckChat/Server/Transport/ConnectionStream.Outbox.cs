using System.Buffers;

namespace FleckChat.Server.Transport;

/// <summary>
/// The write side, the connection's one writer. Every frame (ours, posted through
/// <see cref="Enqueue"/>, and the WebSocket's own pongs and close frames, written through
/// <see cref="WriteAsync"/>) waits whole in one bounded queue under a short gate, so frames never
/// interleave. One drain at a time takes everything waiting and writes it with one socket write (a
/// lone frame straight from the shared array, several gathered into a pooled buffer), then looks
/// again: a burst of messages to one member costs one syscall. The drain runs on the thread pool for
/// posted frames (the broadcaster never touches a socket) and inline for the WebSocket's. A member
/// whose backlog exceeds the send-queue limits is not reading: <see cref="Enqueue"/> reports the
/// overflow once. The oldest waiting frame sits in a field; a list is made only when a second one
/// waits behind it, and the sweep gives an idle connection's list back (<see cref="TrimIdle"/>).
/// </summary>
internal sealed partial class ConnectionStream : IThreadPoolWorkItem
{
    private const byte OpClose = 0x8;

    private SpinGate _gate;
    private Frame _first;
    private List<Frame>? _rest;
    private List<Frame>? _spare;
    private int _pendingFrames;
    private long _pendingPayload;
    private bool _draining;
    private bool _dataEnded;
    private bool _broken;
    private long _framesQueued;
    private long _framesWritten;
    private List<(long Frames, TaskCompletionSource Written)>? _waiters;
    private long _framesOut;
    private long _payloadOut;

    /// <summary>Messages written to the socket so far (keep-alive pings included).</summary>
    public long FramesOut => Volatile.Read(ref _framesOut);

    /// <summary>Their payload bytes.</summary>
    public long PayloadOut => Volatile.Read(ref _payloadOut);

    /// <summary>Queues a message behind the ones waiting; never blocks. Called by any thread.</summary>
    /// <returns>
    /// <see cref="EnqueueResult.Overflow"/> once, when the message would take the backlog over the
    /// limits (the backlog is dropped and no message is taken any more); <see cref="EnqueueResult.Closed"/>
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

            Add(new Frame(message.Frame, message.PayloadLength));
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
    /// The WebSocket's own frames (pongs, close frames): queued behind what waits and written at once.
    /// A close frame ends the data: nothing may follow it.
    /// </summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The WebSocket reuses its buffer: ours is a copy. Control frames are at most 127 bytes.
        var frame = new Frame(buffer.ToArray(), Frame.NotAMessage);
        Task written;
        bool start;
        using (_gate.Enter())
        {
            if (_broken)
            {
                return ValueTask.FromException(new IOException("The connection is closed."));
            }

            Add(frame);
            _dataEnded |= frame.Bytes.Length > 0 && (frame.Bytes[0] & 0x0F) == OpClose;
            written = WhenWritten(_framesQueued);
            start = !_draining;
            _draining = true;
        }

        if (start)
        {
            Drain();
        }

        return new ValueTask(written);
    }

    /// <summary>Every write is flushed by <see cref="WriteAsync"/> already.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Completes once everything queued so far has been handed to the socket; faults if the connection broke first.</summary>
    public Task WhenDrainedAsync()
    {
        using (_gate.Enter())
        {
            return WhenWritten(_framesQueued);
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

    /// <summary>Gives back the list of a connection with nothing waiting (called by the server's sweep), so an idle member holds none.</summary>
    public void TrimIdle()
    {
        using (_gate.Enter())
        {
            if (!_draining)
            {
                _rest = null;
                _spare = null;
            }
        }
    }

    void IThreadPoolWorkItem.Execute() => Drain();

    /// <summary>
    /// Writes what waits, looks again, and stops when nothing does. Continues asynchronously only
    /// when the socket is full. Never throws: a failed write ends the connection.
    /// </summary>
    private void Drain(int settled = 0)
    {
        while (Take(settled, out var batch))
        {
            ValueTask write;
            try
            {
                write = _inner.WriteAsync(batch.Bytes.AsMemory(0, batch.Length));
            }
            catch (Exception ex)
            {
                Failed(batch, ex);
                return;
            }

            if (!write.IsCompletedSuccessfully)
            {
                _ = FinishWriteAsync(write, batch);
                return;
            }

            Written(batch);
            settled = batch.Frames;
        }
    }

    /// <summary>A write the socket could not take at once: wait for it, then drain on. Never throws.</summary>
    private async Task FinishWriteAsync(ValueTask write, Batch batch)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Failed(batch, ex);
            return;
        }

        Written(batch);
        Drain(batch.Frames);
    }

    /// <summary>Takes everything waiting as one write: a lone frame from its own (shared) array, several copied into one pooled buffer.</summary>
    /// <returns>false, with the drain over, when nothing waits.</returns>
    /// <param name="settled">Frames the last write handed to the socket: their waiters are told now.</param>
    private bool Take(int settled, out Batch batch)
    {
        Frame first = default;
        List<Frame>? rest = null;
        int messages = 0;
        long payload = 0;
        using (_gate.Enter())
        {
            Settle(settled);
            if (_first.Bytes is null || _broken)
            {
                _draining = false;
            }
            else
            {
                (first, messages, payload) = (_first, _pendingFrames, _pendingPayload);
                (_first, _pendingFrames, _pendingPayload) = (default, 0, 0);

                // An empty list stays where it is: a lone frame then costs no second turn at the gate.
                if (_rest is { Count: > 0 })
                {
                    (rest, _rest, _spare) = (_rest, _spare, null);
                }
            }
        }

        if (first.Bytes is null)
        {
            batch = default;
            return false;
        }

        if (rest is null)
        {
            batch = new Batch(first.Bytes, first.Bytes.Length, Pooled: false, 1, messages, payload);
        }
        else
        {
            batch = Gather(first, rest, messages, payload);
            rest.Clear();
            using (_gate.Enter())
            {
                _spare ??= rest;
            }
        }

        return true;
    }

    private static Batch Gather(in Frame first, List<Frame> rest, int messages, long payload)
    {
        int length = first.Bytes.Length;
        foreach (var frame in rest)
        {
            length += frame.Bytes.Length;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(length);
        first.Bytes.CopyTo(bytes, 0);
        int at = first.Bytes.Length;
        foreach (var frame in rest)
        {
            frame.Bytes.CopyTo(bytes, at);
            at += frame.Bytes.Length;
        }

        return new Batch(bytes, length, Pooled: true, 1 + rest.Count, messages, payload);
    }

    private void Written(Batch batch)
    {
        batch.Return();
        Volatile.Write(ref _framesOut, _framesOut + batch.Messages);
        Volatile.Write(ref _payloadOut, _payloadOut + batch.Payload);
        _settings.Metrics.Written(batch.Messages, batch.Payload);
    }

    private void Failed(Batch batch, Exception ex)
    {
        batch.Return();
        using (_gate.Enter())
        {
            _broken = true;
            _dataEnded = true;
            _draining = false;
            DropPending();
            FailWaiters(ex);
        }

        _connection.SendFailed(ex);
    }

    /// <summary>Under the gate: a task that completes once the first <paramref name="frames"/> frames queued are written (or dropped).</summary>
    private Task WhenWritten(long frames)
    {
        if (_framesWritten >= frames)
        {
            return Task.CompletedTask;
        }

        if (_broken)
        {
            return Task.FromException(new IOException("The connection is closed."));
        }

        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (_waiters ??= []).Add((frames, written));
        return written.Task;
    }

    /// <summary>Under the gate: <paramref name="frames"/> more frames are written or dropped; tells the waiters they satisfy.</summary>
    private void Settle(long frames)
    {
        _framesWritten += frames;
        if (_waiters is null)
        {
            return;
        }

        // Completing under the gate is safe: the continuations run asynchronously.
        _waiters.RemoveAll(w => w.Frames <= _framesWritten && w.Written.TrySetResult());
        if (_waiters.Count == 0)
        {
            _waiters = null;
        }
    }

    private void FailWaiters(Exception ex)
    {
        foreach (var (_, written) in _waiters ?? [])
        {
            written.TrySetException(ex);
        }

        _waiters = null;
    }

    /// <summary>Under the gate.</summary>
    private void Add(in Frame frame)
    {
        if (_first.Bytes is null)
        {
            _first = frame;
        }
        else
        {
            (_rest ??= []).Add(frame);
        }

        _framesQueued++;
        if (frame.PayloadLength != Frame.NotAMessage)
        {
            _pendingFrames++;
            _pendingPayload += frame.PayloadLength;
        }
    }

    /// <summary>Under the gate.</summary>
    private void DropPending()
    {
        long dropped = _first.Bytes is null ? 0 : 1 + (_rest?.Count ?? 0);
        _first = default;
        _rest?.Clear();
        _pendingFrames = 0;
        _pendingPayload = 0;
        Settle(dropped);
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
                FailWaiters(new ObjectDisposedException(nameof(ConnectionStream)));
            }

            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>A whole frame waiting to be written; <see cref="PayloadLength"/> is <see cref="NotAMessage"/> for the WebSocket's own.</summary>
    private readonly record struct Frame(byte[] Bytes, int PayloadLength)
    {
        public const int NotAMessage = -1;
    }

    /// <summary>What one socket write carries.</summary>
    /// <summary>What one socket write carries: <see cref="Frames"/> frames, of which <see cref="Messages"/> are messages.</summary>
    private readonly record struct Batch(byte[] Bytes, int Length, bool Pooled, int Frames, int Messages, long Payload)
    {
        public void Return()
        {
            if (Pooled)
            {
                ArrayPool<byte>.Shared.Return(Bytes);
            }
        }
    }
}
