using System.Net.WebSockets;
using FleckChat.Server.Transport;
using Serilog;

namespace FleckChat.Server;

/// <summary>
/// An open WebSocket connection: Fleck's handler properties and sends on the outside; .NET's
/// RFC 6455 engine, our receive loop and our <see cref="SendLoop"/> on the inside.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The connection owns its life: RunAsync disposes the close timer and the socket when it ends.")]
internal sealed partial class WebSocketConnection : IWebSocketConnection, ISendLoopOwner, IControlFrameListener
{
    private static readonly Action NoAction = static () => { };
    private static readonly Action<string> NoText = static _ => { };
    private static readonly Action<byte[]> NoBytes = static _ => { };
    private static readonly Action<Exception> NoError = static _ => { };
    private static readonly OutboundMessage KeepAlivePing = OutboundMessage.Control(0x9, []);

    private readonly WebSocket _socket;
    private readonly System.Net.Sockets.Socket _tcp;
    private readonly ConnectionStream _stream;
    private readonly SendLoop _sendLoop;
    private readonly WebSocketServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly ILogger _log;
    private IConnectionOwner? _owner;
    private Timer? _closeTimer;
    private long _pingSentAt;
    private volatile bool _available = true;

    public WebSocketConnection(WebSocket socket, System.Net.Sockets.Socket tcp, ConnectionStream stream, ConnectionInfo info,
        WebSocketServerOptions options, ServerMetrics metrics, ILogger log)
    {
        _socket = socket;
        _tcp = tcp;
        _stream = stream;
        _options = options;
        _metrics = metrics;
        _log = log;
        Info = info;
        Statistics = new ConnectionStatistics(DateTimeOffset.UtcNow);
        _sendLoop = new SendLoop(socket, stream, this, options.SendQueueMessages, options.SendQueueBytes);
    }

    public Action OnOpen { get; set; } = NoAction;

    public Action OnClose { get; set; } = NoAction;

    public Action<string> OnMessage { get; set; } = NoText;

    public Action<byte[]> OnBinary { get; set; } = NoBytes;

    public Action<byte[]> OnPing { get; set; } = NoBytes;

    public Action<byte[]> OnPong { get; set; } = NoBytes;

    public Action<Exception> OnError { get; set; } = NoError;

    public IWebSocketConnectionInfo ConnectionInfo => Info;

    public ConnectionInfo Info { get; }

    public bool IsAvailable => _available;

    public ConnectionStatistics Statistics { get; }

    /// <summary>Completes when the connection has ended and OnClose has run; never faults.</summary>
    public Task Lifetime { get; private set; } = Task.CompletedTask;

    /// <summary>Starts the connection's life (OnOpen, receiving, OnClose); <paramref name="owner"/> hears when it ends.</summary>
    public void Start(IConnectionOwner owner)
    {
        _owner = owner;
        Lifetime = RunAsync();
    }

    /// <summary>
    /// Keep-alive, called now and then by the server for every connection: a peer silent for
    /// <c>KeepAliveInterval</c> is pinged; one still silent <c>KeepAliveTimeout</c> after the ping is
    /// dead and its connection is dropped. Any bytes from the peer (a pong included) count as life.
    /// </summary>
    public void CheckKeepAlive(long now)
    {
        if (now - _stream.LastReceived < (long)_options.KeepAliveInterval.TotalMilliseconds)
        {
            _pingSentAt = 0;
        }
        else if (_pingSentAt == 0)
        {
            _pingSentAt = now;
            Post(KeepAlivePing);
        }
        else if (now - _pingSentAt >= (long)_options.KeepAliveTimeout.TotalMilliseconds)
        {
            _log.Debug("Connection {ConnectionId} did not answer a ping within {Timeout}; dropping it", Info.Id, _options.KeepAliveTimeout);
            if (Statistics.CloseReason.Length == 0)
            {
                Statistics.CloseReason = "keep-alive timeout";
            }

            Abort();
        }
    }

    public Task Send(string message) => SendWithTask(OutboundMessage.Text(message));

    public Task Send(byte[] message) => SendWithTask(OutboundMessage.Binary(message));

    public Task SendPing(byte[] message) => SendControl(0x9, message);

    public Task SendPong(byte[] message) => SendControl(0xA, message);

    public bool Post(OutboundMessage message) =>
        _available && _sendLoop.Enqueue(message, done: null) == EnqueueResult.Queued;

    public void Close() => Close((int)WebSocketCloseStatus.NormalClosure, "");

    public void Close(int code) => Close(code, "");

    public void Close(int code, string reason)
    {
        _available = false;
        _sendLoop.RequestClose((WebSocketCloseStatus)code, reason, dropQueued: false);
    }

    /// <summary>
    /// Tears the connection down at once, without a close handshake. The socket is reset rather than
    /// closed: a plain close would leave the kernel trying to deliver a backlog the peer never reads.
    /// </summary>
    public void Abort()
    {
        _available = false;
        try
        {
            _tcp.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        _socket.Abort();
    }

    private Task SendWithTask(OutboundMessage message)
    {
        if (!_available)
        {
            return Task.FromException(new ConnectionNotAvailableException());
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_sendLoop.Enqueue(message, done) == EnqueueResult.Closed)
        {
            done.TrySetException(new ConnectionNotAvailableException());
        }

        return done.Task;
    }

    private Task SendControl(byte opcode, byte[] payload)
    {
        if (payload.Length > 125)
        {
            return Task.FromException(new ArgumentException("A ping or pong carries at most 125 bytes.", nameof(payload)));
        }

        return SendWithTask(OutboundMessage.Control(opcode, payload));
    }

    void ISendLoopOwner.OnSent(int bytes)
    {
        Statistics.Sent(bytes);
        _metrics.MessageSent(bytes);
    }

    void ISendLoopOwner.OnCloseSent(CloseRequest close)
    {
        Statistics.CloseCode ??= (int)close.Status;
        if (Statistics.CloseReason.Length == 0)
        {
            Statistics.CloseReason = close.Reason;
        }

        // The peer has CloseTimeout to answer our close frame before the connection is dropped.
        _closeTimer = new Timer(static s => ((WebSocketConnection)s!).CloseTimedOut(), this, _options.CloseTimeout, Timeout.InfiniteTimeSpan);
    }

    void ISendLoopOwner.OnSendFailed(Exception exception)
    {
        _log.Debug(exception, "Send to connection {ConnectionId} failed", Info.Id);
        Abort();
    }

    void ISendLoopOwner.OnQueueOverflow(int droppedMessages, CloseRequest close)
    {
        _available = false;
        _metrics.SlowConsumerDisconnected();
        _log.Warning("Disconnecting slow consumer {ConnectionId} from {RemoteEndPoint}: outgoing queue full, {Dropped} messages dropped",
            Info.Id, Info.RemoteEndPoint, droppedMessages);
        Statistics.CloseReason = "slow consumer";
        _ = CutOffAsync(close);
    }

    /// <summary>
    /// A slow consumer's send loop may be stuck behind a full socket buffer, so the close frame gets
    /// CloseTimeout to go out; after that the connection is aborted.
    /// </summary>
    private async Task CutOffAsync(CloseRequest close)
    {
        try
        {
            await close.Sent.WaitAsync(_options.CloseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log.Debug("Slow consumer {ConnectionId} did not take its close frame in time; aborting", Info.Id);
            Abort();
        }
    }

    private void CloseTimedOut()
    {
        if (_socket.State != WebSocketState.Closed)
        {
            _log.Debug("Connection {ConnectionId} did not answer the close frame in time; aborting", Info.Id);
            Abort();
        }
    }

    void IControlFrameListener.ControlFrameReceived(byte opcode, byte[] payload)
    {
        if (opcode == 0x9)
        {
            Invoke(OnPing, payload, nameof(OnPing));
        }
        else
        {
            Invoke(OnPong, payload, nameof(OnPong));
        }
    }

    private void Invoke(Action handler, string name)
    {
        try
        {
            handler();
        }
        catch (Exception ex)
        {
            HandlerFailed(ex, name);
        }
    }

    private void Invoke<T>(Action<T> handler, T argument, string name)
    {
        try
        {
            handler(argument);
        }
        catch (Exception ex)
        {
            HandlerFailed(ex, name);
        }
    }

    private void HandlerFailed(Exception ex, string name)
    {
        _log.Error(ex, "{Handler} handler failed for connection {ConnectionId}", name, Info.Id);
        RaiseError(ex);
    }

    private void RaiseError(Exception ex)
    {
        try
        {
            OnError(ex);
        }
        catch (Exception handlerEx)
        {
            _log.Error(handlerEx, "OnError handler failed for connection {ConnectionId}", Info.Id);
        }
    }
}
