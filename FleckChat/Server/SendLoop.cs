using System.Net.WebSockets;
using FleckChat.Server.Transport;

namespace FleckChat.Server;

/// <summary>
/// The one writer of a connection. Messages wait in a bounded queue; when the queue goes from empty
/// to non-empty the loop is scheduled on the thread pool, writes everything queued (gathered into
/// one socket write by <see cref="ConnectionStream"/>), flushes, and ends. An idle connection has no
/// loop, no task and no buffer. A full queue means the peer is not reading: the connection is cut
/// off (see <see cref="ISendLoopOwner.OnQueueOverflow"/>) rather than stalling the sender or growing
/// without bound.
/// </summary>
internal sealed class SendLoop : IThreadPoolWorkItem
{
    private readonly WebSocket _socket;
    private readonly ConnectionStream _stream;
    private readonly ISendLoopOwner _owner;
    private readonly int _maxMessages;
    private readonly long _maxBytes;
    // The oldest waiting message sits in _first; a queue is made only when a second one waits behind
    // it. A member that was only ever greeted never gets a queue. All of this state is guarded by _gate.
    private SpinGate _gate;
    private Outgoing _first;
    private bool _hasFirst;
    private Queue<Outgoing>? _queue;
    private Queue<Outgoing>? _spare;
    private int _count;
    private long _queuedBytes;
    private bool _scheduled;
    private bool _completed;
    private CloseRequest? _close;

    public SendLoop(WebSocket socket, ConnectionStream stream, ISendLoopOwner owner, int maxMessages, long maxBytes)
    {
        _socket = socket;
        _stream = stream;
        _owner = owner;
        _maxMessages = maxMessages;
        _maxBytes = maxBytes;
    }

    /// <summary>The close request made so far, if any.</summary>
    public CloseRequest? Close
    {
        get
        {
            using (_gate.Enter())
            {
                return _close;
            }
        }
    }

    public EnqueueResult Enqueue(OutboundMessage message, TaskCompletionSource? done)
    {
        List<Outgoing>? dropped = null;
        CloseRequest? cutOff = null;
        bool schedule = false;
        using (_gate.Enter())
        {
            if (_completed || _close is not null)
            {
                return EnqueueResult.Closed;
            }

            if (_count >= _maxMessages || (_count > 0 && _queuedBytes + message.Payload.Length > _maxBytes))
            {
                // The peer is not reading: drop its backlog and queue a 1008 in its place.
                dropped = TakeAll();
                cutOff = _close = new CloseRequest(WebSocketCloseStatus.PolicyViolation, "slow consumer: outgoing queue full");
            }
            else
            {
                Add(new Outgoing(message, done));
            }

            schedule = !_scheduled;
            _scheduled = true;
        }

        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        if (cutOff is not null)
        {
            Fail(dropped!);
            done?.TrySetException(new ConnectionNotAvailableException("The client's outgoing queue is full."));
            _owner.OnQueueOverflow(dropped!.Count, cutOff);
            return EnqueueResult.Overflow;
        }

        return EnqueueResult.Queued;
    }

    /// <summary>
    /// Sends a close frame after the messages already queued; later messages are refused. Returns the
    /// request that will be (or was) sent: only the first close counts.
    /// </summary>
    public CloseRequest RequestClose(WebSocketCloseStatus status, string reason, bool dropQueued)
    {
        List<Outgoing>? dropped = null;
        CloseRequest request;
        bool schedule = false;
        using (_gate.Enter())
        {
            if (_close is not null)
            {
                return _close;
            }

            request = _close = new CloseRequest(status, reason);
            if (dropQueued && _count > 0)
            {
                dropped = TakeAll();
            }

            if (_completed)
            {
                request.Done();
            }
            else
            {
                schedule = !_scheduled;
                _scheduled = true;
            }
        }

        if (dropped is not null)
        {
            Fail(dropped);
        }

        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        return request;
    }

    /// <summary>Refuses further messages and fails the queued ones: the connection is over.</summary>
    public void Complete()
    {
        List<Outgoing>? dropped = null;
        using (_gate.Enter())
        {
            _completed = true;
            if (_count > 0)
            {
                dropped = TakeAll();
            }

            _close?.Done();
        }

        if (dropped is not null)
        {
            Fail(dropped);
        }
    }

    /// <summary>
    /// Drops an empty queue so an idle connection holds none; the next message makes a new one. Done
    /// from the server's periodic sweep rather than after every drain, so busy connections keep theirs.
    /// </summary>
    public void TrimIdle()
    {
        using (_gate.Enter())
        {
            if (!_scheduled && _count == 0)
            {
                _queue = null;
                _spare = null;
            }
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    /// <summary>
    /// Drains the queue: takes everything waiting in one go (one lock for the whole batch, so the
    /// broadcaster and this loop rarely meet on it), sends it, looks again, and flushes once nothing
    /// is left. Never throws: a failed write ends the connection through the owner.
    /// </summary>
    private async Task RunAsync()
    {
        bool unflushed = false;
        int sentMessages = 0;
        long sentBytes = 0;
        Outgoing first = default;
        Queue<Outgoing>? batch = null;
        _stream.Coalesce = true;
        try
        {
            while (true)
            {
                CloseRequest? close = null;
                bool took = false;
                using (_gate.Enter())
                {
                    if (!_completed && _count > 0)
                    {
                        (first, batch) = TakeBatch();
                        took = true;
                    }
                    else if (!unflushed)
                    {
                        if (_close is { IsTaken: false } pendingClose && !_completed)
                        {
                            close = pendingClose;
                            close.IsTaken = true;
                        }
                        else
                        {
                            _stream.Coalesce = false;
                            _scheduled = false;
                            return;
                        }
                    }
                }

                if (took)
                {
                    if (first.Message is not null)
                    {
                        // Sends complete synchronously while they only fill the pending buffer, so the
                        // await is skipped then: this is the per-recipient path of every broadcast.
                        var send = SendAsync(first);
                        if (!send.IsCompletedSuccessfully)
                        {
                            await send.ConfigureAwait(false);
                        }

                        first.Done?.TrySetResult();
                        sentBytes += first.Message.Payload.Length;
                        sentMessages++;
                        first = default;
                    }

                    while (batch is not null && batch.TryDequeue(out var item))
                    {
                        var send = SendAsync(item);
                        if (!send.IsCompletedSuccessfully)
                        {
                            await send.ConfigureAwait(false);
                        }

                        item.Done?.TrySetResult();
                        sentBytes += item.Message.Payload.Length;
                        sentMessages++;
                    }

                    GiveBack(batch);
                    batch = null;
                    unflushed = true;
                }
                else if (unflushed)
                {
                    _stream.Coalesce = false;
                    await _stream.FlushPendingAsync().ConfigureAwait(false);
                    _stream.Coalesce = true;
                    unflushed = false;
                    _owner.OnSent(sentMessages, sentBytes);
                    sentMessages = 0;
                    sentBytes = 0;
                }
                else if (close is not null)
                {
                    _stream.Coalesce = false;
                    await SendCloseAsync(close).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            _stream.Coalesce = false;
            first.Done?.TrySetException(new ConnectionNotAvailableException("The connection failed while sending.", ex));
            if (batch is not null)
            {
                Fail([.. batch]);
            }

            Complete();
            _owner.OnSendFailed(ex);
        }
    }

    /// <summary>Takes every waiting message (call under the lock); the queue is swapped for the spare one.</summary>
    private (Outgoing First, Queue<Outgoing>? Others) TakeBatch()
    {
        var first = _hasFirst ? _first : default;
        _first = default;
        _hasFirst = false;
        Queue<Outgoing>? rest = null;
        if (_queue is { Count: > 0 })
        {
            rest = _queue;
            _queue = _spare;
            _spare = null;
        }

        _count = 0;
        _queuedBytes = 0;
        return (first, rest);
    }

    /// <summary>Returns an emptied batch queue for reuse.</summary>
    private void GiveBack(Queue<Outgoing>? batch)
    {
        if (batch is not null)
        {
            using (_gate.Enter())
            {
                _spare ??= batch;
            }
        }
    }

    private ValueTask SendAsync(Outgoing item)
    {
        var message = item.Message;
        return message.ControlOpcode != 0
            ? _stream.WriteFrameAsync(message.Payload)
            : _socket.SendAsync(new ReadOnlyMemory<byte>(message.Payload), message.Type, endOfMessage: true, CancellationToken.None);
    }

    private async Task SendCloseAsync(CloseRequest close)
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(close.Status, close.Reason, CancellationToken.None).ConfigureAwait(false);
                _owner.OnCloseSent(close);
            }
        }
        finally
        {
            close.Done();
        }
    }

    private void Add(in Outgoing item)
    {
        if (!_hasFirst && _count == 0)
        {
            _first = item;
            _hasFirst = true;
        }
        else
        {
            (_queue ??= new Queue<Outgoing>()).Enqueue(item);
        }

        _count++;
        _queuedBytes += item.Message.Payload.Length;
    }

    /// <summary>The oldest waiting message: the first slot is always older than anything in the queue.</summary>
    private Outgoing Take()
    {
        Outgoing item;
        if (_hasFirst)
        {
            item = _first;
            _first = default;
            _hasFirst = false;
        }
        else
        {
            item = _queue!.Dequeue();
        }

        _count--;
        _queuedBytes -= item.Message.Payload.Length;
        return item;
    }

    private List<Outgoing> TakeAll()
    {
        var all = new List<Outgoing>(_count);
        while (_count > 0)
        {
            all.Add(Take());
        }

        return all;
    }

    private static void Fail(List<Outgoing> dropped)
    {
        foreach (var item in dropped)
        {
            item.Done?.TrySetException(new ConnectionNotAvailableException());
        }
    }

    private readonly record struct Outgoing(OutboundMessage Message, TaskCompletionSource? Done);
}

internal enum EnqueueResult
{
    Queued,
    Overflow,
    Closed,
}

/// <summary>What the send loop tells the connection it belongs to.</summary>
internal interface ISendLoopOwner
{
    /// <summary>A burst of <paramref name="messages"/> went out in one write.</summary>
    void OnSent(int messages, long bytes);


    void OnCloseSent(CloseRequest close);

    void OnSendFailed(Exception exception);

    /// <summary>The queue overflowed; <paramref name="close"/> (1008) is queued in place of the dropped messages.</summary>
    void OnQueueOverflow(int droppedMessages, CloseRequest close);
}
