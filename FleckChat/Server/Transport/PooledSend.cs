using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace FleckChat.Server.Transport;

/// <summary>
/// A socket send that borrows its <see cref="SocketAsyncEventArgs"/> from a pool for the duration of
/// the send. <c>Socket.SendAsync(memory)</c> would instead create one per socket and keep it, with its
/// callback, for the socket's whole life (docs/performance.md, "Memory per idle connection"); with
/// tens of thousands of mostly idle members that is memory held for nothing. Only a send in flight holds one of these.
/// </summary>
internal sealed class PooledSend : SocketAsyncEventArgs, IValueTaskSource
{
    private const int MaxPooled = 256;
    private static readonly ConcurrentQueue<PooledSend> Pool = new();
    private static int s_pooled;

    private ManualResetValueTaskSourceCore<bool> _source = new() { RunContinuationsAsynchronously = false };

    private PooledSend()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Sends all of <paramref name="data"/>; completes when the kernel has taken it.</summary>
    public static ValueTask SendAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        var send = Rent();
        send.SetBuffer(MemoryMarshal.AsMemory(data));
        if (socket.SendAsync(send))
        {
            return new ValueTask(send, send._source.Version);
        }

        // Completed synchronously (the usual case: the kernel had room).
        var error = send.SocketError;
        send.Return();
        return error == SocketError.Success ? ValueTask.CompletedTask : ValueTask.FromException(new SocketException((int)error));
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => _source.SetResult(true);

    void IValueTaskSource.GetResult(short token)
    {
        _source.GetResult(token);
        var error = SocketError;
        Return();
        if (error != SocketError.Success)
        {
            throw new SocketException((int)error);
        }
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _source.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);

    private static PooledSend Rent()
    {
        if (Pool.TryDequeue(out var send))
        {
            Interlocked.Decrement(ref s_pooled);
            return send;
        }

        return new PooledSend();
    }

    private void Return()
    {
        SetBuffer(Memory<byte>.Empty);
        _source.Reset();
        if (Interlocked.Increment(ref s_pooled) <= MaxPooled)
        {
            Pool.Enqueue(this);
        }
        else
        {
            Interlocked.Decrement(ref s_pooled);
            Dispose();
        }
    }
}
