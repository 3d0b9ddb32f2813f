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
internal sealed partial class SendLoop : IThreadPoolWorkItem
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

    private readonly record struct Outgoing(OutboundMessage Message, TaskCompletionSource? Done);
}
