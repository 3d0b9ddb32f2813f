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
    // it. A member that was only ever greeted never gets a queue. Both are guarded by lock (this):
    // the loop is private to its connection, so nothing else can take that lock.
    private Outgoing _first;
    private bool _hasFirst;
    private Queue<Outgoing>? _queue;
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
            lock (this)
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
        lock (this)
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
        lock (this)
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
        lock (this)
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
        lock (this)
        {
            if (!_scheduled && _count == 0)
            {
                _queue = null;
            }
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    /// <summary>Drains the queue. Never throws: a failed write ends the connection through the owner.</summary>
    private async Task RunAsync()
    {
        bool unflushed = false;
        _stream.Coalesce = true;
        try
        {
            while (true)
            {
                Outgoing item = default;
                CloseRequest? close = null;
                lock (this)
                {
                    if (!_completed && _count > 0)
                    {
                        item = Take();
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

                if (item.Message is { } message)
                {
                    await SendAsync(message).ConfigureAwait(false);
                    item.Done?.TrySetResult();
                    unflushed = true;
                }
                else if (unflushed)
                {
                    _stream.Coalesce = false;
                    await _stream.FlushPendingAsync().ConfigureAwait(false);
                    _stream.Coalesce = true;
                    unflushed = false;
                    _owner.OnFlushed();
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
            Complete();
            _owner.OnSendFailed(ex);
        }
    }

    private async ValueTask SendAsync(OutboundMessage message)
    {
        if (message.ControlOpcode != 0)
        {
            await _stream.WriteFrameAsync(message.Payload).ConfigureAwait(false);
        }
        else
        {
            await _socket.SendAsync(message.Payload, message.Type, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }

        _owner.OnSent(message.Payload.Length);
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
    void OnSent(int bytes);

    /// <summary>A burst went out in one write.</summary>
    void OnFlushed();

    void OnCloseSent(CloseRequest close);

    void OnSendFailed(Exception exception);

    /// <summary>The queue overflowed; <paramref name="close"/> (1008) is queued in place of the dropped messages.</summary>
    void OnQueueOverflow(int droppedMessages, CloseRequest close);
}
