using System.Net.WebSockets;

namespace FleckChat.Server;

/// <summary>The loop itself: take a batch, send it, look again, flush once, then the close frame.</summary>
internal sealed partial class SendLoop
{
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
}
