using System.Net.WebSockets;
using FleckChat.Server.Transport;
using Serilog;

namespace FleckChat.Server;

/// <summary>
/// An open WebSocket connection: Fleck's handler properties and sends on the outside; .NET's
/// RFC 6455 engine, our receive loop and our <see cref="SendLoop"/> on the inside. Tens of thousands
/// of these may sit idle, so every field earns its place (see the README's Performance section).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The connection owns its life: RunAsync disposes the close timer and the socket when it ends.")]
internal sealed partial class WebSocketConnection : IWebSocketConnection, ISendLoopOwner, IFrameListener
{
    private static readonly Action NoAction = static () => { };
    private static readonly Action<string> NoText = static _ => { };
    private static readonly Action<byte[]> NoBytes = static _ => { };
    private static readonly Action<Exception> NoError = static _ => { };

    private readonly WebSocket _socket;
    private readonly System.Net.Sockets.Socket _tcp;
    private readonly ConnectionStream _stream;
    private readonly SendLoop _sendLoop;
    private readonly ServerSettings _settings;
    private IConnectionOwner? _owner;
    private volatile bool _available = true;

    public WebSocketConnection(WebSocket socket, System.Net.Sockets.Socket tcp, ConnectionStream stream, ConnectionInfo info, ServerSettings settings)
    {
        _socket = socket;
        _tcp = tcp;
        _stream = stream;
        _settings = settings;
        _openedAt = DateTimeOffset.UtcNow.UtcTicks;
        Info = info;
        _sendLoop = new SendLoop(socket, stream, this, settings.Options.SendQueueMessages, settings.Options.SendQueueBytes);
    }

    public Action OnOpen { get; set; } = NoAction;

    public Action OnClose { get; set; } = NoAction;

    public Action<string> OnMessage { get; set; } = NoText;

    public Action<byte[]> OnBinary { get; set; } = NoBytes;

    public Action<byte[]> OnPing { get; set; } = NoBytes;

    public Action<byte[]> OnPong { get; set; } = NoBytes;

    public Action<Exception> OnError { get; set; } = NoError;

    public IWebSocketConnectionInfo ConnectionInfo => Info;

    /// <summary>The connection's place in the server's counts, given back when it ends.</summary>
    internal ConnectionSlots.Slot? Slot { get; init; }

    public ConnectionInfo Info { get; }

    public bool IsAvailable => _available;

    /// <summary>Completes when the connection has ended and OnClose has run; never faults.</summary>
    public Task Lifetime { get; private set; } = Task.CompletedTask;

    private ILogger Log => _settings.Log;

    private WebSocketServerOptions Options => _settings.Options;

    /// <summary>Starts the connection's life (OnOpen, receiving, OnClose); <paramref name="owner"/> hears when it ends.</summary>
    public void Start(IConnectionOwner owner)
    {
        _owner = owner;
        Lifetime = RunAsync();
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

    void IFrameListener.ControlFrameReceived(byte opcode, byte[] payload)
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
        Log.Error(ex, "{Handler} handler failed for connection {ConnectionId}", name, Info.Id);
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
            Log.Error(handlerEx, "OnError handler failed for connection {ConnectionId}", Info.Id);
        }
    }
}
