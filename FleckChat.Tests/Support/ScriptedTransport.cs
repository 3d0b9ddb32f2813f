using System.Threading.Channels;
using FleckChat.Server.Transport;

namespace FleckChat.Tests.Support;

/// <summary>
/// A connection's transport played by the test: what the client sends is handed in with
/// <see cref="Incoming"/>, and every write the server makes waits until the test completes it
/// (<see cref="NextWrite"/>, then <see cref="PendingWrite.Complete"/>), so a test can hold the
/// server's socket "full" for exactly as long as it needs.
/// </summary>
internal sealed class ScriptedTransport : AsyncOnlyStream
{
    private readonly object _gate = new();
    private readonly Queue<byte> _incoming = new();
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action? _onNextWrite;

    /// <summary>Bytes the client sends, available to the server's next reads.</summary>
    public void Incoming(params byte[][] chunks)
    {
        lock (_gate)
        {
            foreach (var chunk in chunks)
            {
                foreach (byte b in chunk)
                {
                    _incoming.Enqueue(b);
                }
            }

            _arrived.TrySetResult();
        }
    }

    /// <summary>Runs <paramref name="action"/> inside the next write, before it is reported: "something happened meanwhile".</summary>
    public void OnNextWrite(Action action) => _onNextWrite = action;

    /// <summary>The server's next write (bounded wait).</summary>
    public Task<PendingWrite> NextWrite() => _writes.Reader.ReadAsync().AsTask().Bounded();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (_incoming.Count > 0)
                {
                    int n = Math.Min(buffer.Length, _incoming.Count);
                    for (int i = 0; i < n; i++)
                    {
                        buffer.Span[i] = _incoming.Dequeue();
                    }

                    return n;
                }

                if (_arrived.Task.IsCompleted)
                {
                    _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                arrived = _arrived.Task;
            }

            await arrived.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var write = new PendingWrite(buffer.ToArray());
        Interlocked.Exchange(ref _onNextWrite, null)?.Invoke();
        _writes.Writer.TryWrite(write);
        return new ValueTask(write.Task);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One write the server made, finished when the test says so.</summary>
    internal sealed class PendingWrite(byte[] bytes)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public byte[] Bytes { get; } = bytes;

        public Task Task => _done.Task;

        public bool IsCompleted => _done.Task.IsCompleted;

        public void Complete() => _done.TrySetResult();
    }
}
