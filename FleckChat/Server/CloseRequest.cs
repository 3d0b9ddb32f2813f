using System.Net.WebSockets;

namespace FleckChat.Server;

/// <summary>A close frame waiting for the send loop, and a task that completes once it has been sent (or could not be).</summary>
internal sealed class CloseRequest
{
    private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CloseRequest(WebSocketCloseStatus status, string reason)
    {
        Status = status;
        Reason = reason;
    }

    public WebSocketCloseStatus Status { get; }

    public string Reason { get; }

    public bool IsTaken { get; set; }

    public Task Sent => _sent.Task;

    public void Done() => _sent.TrySetResult();
}
