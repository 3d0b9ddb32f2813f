namespace FleckChat.Server;

/// <summary>The waiting messages: a first slot, then a queue made only when a second one waits. Call under the gate.</summary>
internal sealed partial class SendLoop
{
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
}
