using System.Net.Sockets;
using System.Net.WebSockets;
using FleckChat.Server.Transport;
using Serilog;

namespace FleckChat.Server;

/// <summary>
/// An open WebSocket connection: Fleck's handler properties and sends on the outside; .NET's RFC 6455
/// engine (receiving, answering pings, close frames) and our <see cref="ConnectionStream"/> (the one
/// writer) on the inside. The server runs its life (<c>WebSocketServer.ServeAsync</c>): Opened, then
/// NextMessageAsync and ReceiveMessageAsync until the end, then EndAsync and Closed. Tens of thousands
/// of these may sit idle, so every field earns its place (docs/performance.md, "Memory per idle connection").
/// </summary>
/// <remarks>Receiving is in WebSocketConnection.Receive.cs.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The server ends every connection through Closed, which disposes the WebSocket and the close timer.")]
internal sealed partial class WebSocketConnection : IWebSocketConnection
{
    private readonly WebSocket _socket;
    private readonly Socket _tcp;
    private readonly ConnectionStream _stream;
    private readonly ServerSettings _settings;
    private readonly long _openedAt;
    private volatile bool _available = true;
    private int _closing;
    private ITimer? _closeTimer;
    private long _pingSentAt;

    // How the connection ended: written by the end's one flow, read by Statistics a moment old.
    private int _closeCode;
    private string _closeReason = "";

    public WebSocketConnection(Stream transport, Socket tcp, byte[] leftover, ConnectionInfo info, ServerSettings settings)
    {
        _tcp = tcp;
        _settings = settings;
        _openedAt = settings.Time.GetUtcNow().UtcTicks;
        Info = info;
        _stream = new ConnectionStream(transport, leftover, this, settings);
        _socket = WebSocket.CreateFromStream(_stream, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = info.NegotiatedSubProtocol.Length > 0 ? info.NegotiatedSubProtocol : null,
            // Keep-alive is the server's sweep, not a timer per WebSocket: docs/performance.md, "Keep-alive".
            KeepAliveInterval = TimeSpan.Zero,
        });
    }

    // Static lambdas: the compiler caches each, so a connection holds no delegate of its own until set.
    public Action OnOpen { get; set; } = static () => { };

    public Action OnClose { get; set; } = static () => { };

    public Action<string> OnMessage { get; set; } = static _ => { };

    public Action<byte[]> OnBinary { get; set; } = static _ => { };

    public Action<Exception> OnError { get; set; } = static _ => { };

    public IWebSocketConnectionInfo ConnectionInfo => Info;

    public ConnectionInfo Info { get; }

    public bool IsAvailable => _available;

    public ConnectionStatistics Statistics => new(
        new DateTimeOffset(_openedAt, TimeSpan.Zero), Volatile.Read(ref _messagesIn), _stream.FramesOut,
        Volatile.Read(ref _bytesIn), _stream.PayloadOut, _closeCode == 0 ? null : _closeCode, _closeReason);

    private ILogger Log => _settings.Log;

    private WebSocketServerOptions Options => _settings.Options;

    public void Send(string message) => Post(OutboundMessage.Text(message));

    public void Send(byte[] message) => Post(OutboundMessage.Binary(message));

    public bool Post(OutboundMessage message)
    {
        if (!_available)
        {
            return false;
        }

        switch (_stream.Enqueue(message))
        {
            case EnqueueResult.Queued:
                return true;
            case EnqueueResult.Overflow:
                CutOffSlowConsumer();
                return false;
            default:
                return false;
        }
    }

    public void Close() => Close((int)WebSocketCloseStatus.NormalClosure, "");

    public void Close(int code) => Close(code, "");

    public void Close(int code, string reason)
    {
        _available = false;
        _ = CloseAsync((WebSocketCloseStatus)code, reason, dropQueued: false);
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
            _tcp.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        _socket.Abort();
    }

    /// <summary>The handshake is done: counts the connection and raises OnOpen.</summary>
    internal void Opened()
    {
        _settings.Metrics.ConnectionOpened();
        // The query may hold a resume token, a secret: never logged.
        string path = Info.Path.IndexOf('?', StringComparison.Ordinal) is >= 0 and var q ? Info.Path[..q] + "?***" : Info.Path;
        Log.Debug("Connection {ConnectionId} from {RemoteEndPoint} opened on {Path}", Info.Id, Info.RemoteEndPoint, path);
        Invoke(OnOpen, nameof(OnOpen));
    }

    /// <summary>The receive loop failed: the peer went away, or broke the protocol (the WebSocket has sent its close code).</summary>
    internal void Broke(Exception ex)
    {
        if (IsDisconnect(ex))
        {
            Log.Debug(ex, "Connection {ConnectionId} ended: {Reason}", Info.Id, ex.Message);
        }
        else
        {
            Log.Error(ex, "Unexpected error on connection {ConnectionId}", Info.Id);
        }

        NoteEnd(null, ex is WebSocketException or IOException ? ex.Message : ex.GetType().Name);
        RaiseError(ex);
    }

    /// <summary>
    /// After the receive loop: answers a close the peer started (echoing its code) and waits briefly
    /// for our frames to leave. Never throws.
    /// </summary>
    internal async Task EndAsync()
    {
        _available = false;
        try
        {
            string description = _socket.CloseStatusDescription ?? "";
            if (_socket.State == WebSocketState.CloseReceived)
            {
                NoteEnd((int?)_socket.CloseStatus ?? (int)WebSocketCloseStatus.Empty, description);
                var status = _socket.CloseStatus is { } s && s != WebSocketCloseStatus.Empty ? s : WebSocketCloseStatus.NormalClosure;
                await CloseAsync(status, description, dropQueued: true).ConfigureAwait(false);
            }
            else if (_socket.State == WebSocketState.Closed)
            {
                NoteEnd((int?)_socket.CloseStatus, description);
            }

            await _stream.WhenDrainedAsync().WaitAsync(Options.CloseTimeout, _settings.Time).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDisconnect(ex) || ex is TimeoutException)
        {
            Log.Debug(ex, "Connection {ConnectionId}: close handshake cut short", Info.Id);
        }
        finally
        {
            _settings.Metrics.ConnectionClosed();
        }
    }

    /// <summary>The end: raises OnClose and releases the socket.</summary>
    internal void Closed()
    {
        Log.Debug("Connection {ConnectionId} closed: {CloseCode} {CloseReason}", Info.Id, _closeCode, _closeReason);
        Invoke(OnClose, nameof(OnClose));
        _closeTimer?.Dispose();
        _socket.Dispose();
    }

    /// <summary>
    /// Keep-alive, called now and then by the server's sweep: a peer silent for KeepAliveInterval is
    /// pinged; one still silent KeepAliveTimeout after the ping is dead and its connection is dropped.
    /// Any bytes from the peer (a pong included) count as life.
    /// </summary>
    internal void CheckKeepAlive(long now)
    {
        var time = _settings.Time;
        if (time.GetElapsedTime(_stream.LastReceived, now) < Options.KeepAliveInterval)
        {
            _pingSentAt = 0;
        }
        else if (_pingSentAt == 0)
        {
            _pingSentAt = now;
            Post(OutboundMessage.Ping);
        }
        else if (time.GetElapsedTime(_pingSentAt, now) >= Options.KeepAliveTimeout)
        {
            Log.Debug("Connection {ConnectionId} did not answer a ping within {Timeout}; dropping it", Info.Id, Options.KeepAliveTimeout);
            NoteEnd(null, "keep-alive timeout");
            Abort();
        }
    }

    /// <summary>Gives back the send list of a connection with nothing to send (called by the server's sweep).</summary>
    internal void TrimIdle() => _stream.TrimIdle();

    /// <summary>
    /// The peer's close frame has a reason that is not UTF-8, and the WebSocket has not seen it yet:
    /// our 1007 must leave first, or the WebSocket answers 1002 on its own. The peer is leaving, so
    /// what is queued for it is dropped. The task completes once our frame is out (or given up on).
    /// </summary>
    internal Task RefuseCloseReason()
    {
        Log.Debug("Connection {ConnectionId} sent a close reason that is not UTF-8; closing with 1007", Info.Id);
        _available = false;
        return CloseAsync(WebSocketCloseStatus.InvalidPayloadData, "close reason not UTF-8", dropQueued: true);
    }

    /// <summary>A socket write failed: the connection is over.</summary>
    internal void SendFailed(Exception ex)
    {
        Log.Debug(ex, "Send to connection {ConnectionId} failed", Info.Id);
        Abort();
    }

    internal static bool IsDisconnect(Exception ex) =>
        ex is WebSocketException or IOException or SocketException or OperationCanceledException or ObjectDisposedException;

    /// <summary>The peer is not reading and its backlog hit the send-queue limits: 1008 in place of the backlog.</summary>
    private void CutOffSlowConsumer()
    {
        _available = false;
        _settings.Metrics.SlowConsumerDisconnected();
        Log.Warning("Disconnecting slow consumer {ConnectionId} from {RemoteEndPoint}: outgoing queue full, its backlog dropped",
            Info.Id, Info.RemoteEndPoint);
        NoteEnd(null, "slow consumer");
        _ = CloseAsync(WebSocketCloseStatus.PolicyViolation, "slow consumer: outgoing queue full", dropQueued: true);
    }

    /// <summary>
    /// Sends a close frame, behind what is queued or instead of it; only the first close counts. The
    /// frame gets CloseTimeout to leave (a slow consumer's socket may be full) and the peer as long
    /// again to answer; otherwise the connection is aborted. Never faults.
    /// </summary>
    private async Task CloseAsync(WebSocketCloseStatus status, string reason, bool dropQueued)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        if (dropQueued)
        {
            _stream.DropQueued();
        }

        try
        {
            await _socket.CloseOutputAsync(status, reason, CancellationToken.None).WaitAsync(Options.CloseTimeout, _settings.Time).ConfigureAwait(false);
            NoteEnd((int)status, reason);
            _closeTimer = _settings.Time.CreateTimer(static s => ((WebSocketConnection)s!).CloseTimedOut(), this,
                Options.CloseTimeout, Timeout.InfiniteTimeSpan);
        }
        catch (TimeoutException)
        {
            Log.Debug("Connection {ConnectionId} did not take its close frame in time; aborting", Info.Id);
            Abort();
        }
        catch (Exception ex) when (IsDisconnect(ex) || ex is InvalidOperationException)
        {
            Log.Debug(ex, "Connection {ConnectionId}: close frame not sent", Info.Id);
        }
    }

    private void CloseTimedOut()
    {
        if (_socket.State != WebSocketState.Closed)
        {
            Log.Debug("Connection {ConnectionId} did not answer the close frame in time; aborting", Info.Id);
            Abort();
        }
    }

    /// <summary>Records how the connection ended; the first code and the first reason win.</summary>
    private void NoteEnd(int? code, string reason)
    {
        if (_closeCode == 0 && code is { } c)
        {
            _closeCode = c;
        }

        if (_closeReason.Length == 0)
        {
            _closeReason = reason;
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
