namespace FleckChat.Server;

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
