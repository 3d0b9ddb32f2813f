using System.Buffers;
using System.Runtime.CompilerServices;

namespace FleckChat.Server.Transport;

/// <summary>
/// The write side: every write is appended, whole, to one pending buffer under a short lock, and
/// bytes leave through a single flush loop at a time. So frames never interleave (ours, and the ones
/// .NET's WebSocket writes by itself: pong replies, close frames), nothing waits on a semaphore, and
/// a burst costs one socket write.
/// <list type="bullet">
/// <item>While <see cref="Coalesce"/> is on (the send loop is in a burst), writes only append; .NET's
/// WebSocket calls FlushAsync after every frame, and that call then does nothing.</item>
/// <item>Otherwise a write is flushed at once. A flush that finds another one under way waits for it:
/// that loop writes whatever is pending, this caller's bytes included, before it stops.</item>
/// <item>A burst over <see cref="FlushThreshold"/> bytes is flushed early, so pending memory stays bounded.</item>
/// </list>
/// </summary>
internal sealed partial class ConnectionStream
{
    private const int InitialPendingSize = 4 * 1024;
    private const int FlushThreshold = 64 * 1024;

    private byte[]? _pending;
    private int _pendingCount;
    private bool _flushing;
    private TaskCompletionSource? _flushed;
    private volatile bool _coalesce;
    private bool _disposed;

    /// <summary>While true, writes wait in the pending buffer until <see cref="FlushPendingAsync"/>.</summary>
    public bool Coalesce
    {
        get => _coalesce;
        set => _coalesce = value;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int pending;
        lock (this)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Append(buffer.Span);
            pending = _pendingCount;
        }

        return _coalesce && pending < FlushThreshold ? ValueTask.CompletedTask : FlushPendingAsync();
    }

    /// <summary>Called by the WebSocket after each frame: nothing to do while coalescing.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _coalesce ? Task.CompletedTask : FlushPendingAsync().AsTask();

    /// <summary>Writes a whole frame the caller built (a ping or pong we send ourselves).</summary>
    public ValueTask WriteFrameAsync(ReadOnlyMemory<byte> frame) => WriteAsync(frame);

    /// <summary>Writes out everything pending; completes when it has been handed to the socket.</summary>
    public ValueTask FlushPendingAsync()
    {
        byte[] first;
        int count;
        lock (this)
        {
            if (_flushing)
            {
                // A flush loop is running: it will take our bytes too. Wait for it to finish.
                return new ValueTask((_flushed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task);
            }

            if (_pendingCount == 0 || _disposed)
            {
                return ValueTask.CompletedTask;
            }

            (first, count) = TakePending();
            _flushing = true;
        }

        return FlushLoopAsync(first, count);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushLoopAsync(byte[] buffer, int count)
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                try
                {
                    await _inner.WriteAsync(buffer.AsMemory(0, count)).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                lock (this)
                {
                    if (_pendingCount == 0 || _disposed)
                    {
                        return;
                    }

                    (buffer, count) = TakePending();
                }
            }
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            TaskCompletionSource? waiters;
            lock (this)
            {
                _flushing = false;
                waiters = _flushed;
                _flushed = null;
            }

            if (failure is null)
            {
                waiters?.TrySetResult();
            }
            else
            {
                waiters?.TrySetException(failure);
            }
        }
    }

    /// <summary>Appends under the lock, growing the pending buffer (pooled) when needed.</summary>
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

    private (byte[] Buffer, int Count) TakePending()
    {
        var taken = (_pending!, _pendingCount);
        _pending = null;
        _pendingCount = 0;
        return taken;
    }
}
