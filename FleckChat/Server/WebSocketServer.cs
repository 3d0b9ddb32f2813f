using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using Serilog;

namespace FleckChat.Server;

/// <summary>
/// A WebSocket server with Fleck's shape: <c>new WebSocketServer("ws://0.0.0.0:8080/chat")</c>, then
/// <c>server.Start(socket => { socket.OnOpen = ...; socket.OnMessage = ...; })</c>. Our own code: the
/// accept loop, the handshake and each connection's life (<see cref="ServeAsync"/>); the protocol
/// from .NET's WebSocket.
/// </summary>
internal sealed partial class WebSocketServer : IDisposable, IAsyncDisposable
{
    /// <summary>Failed handshakes logged per second at most; the rest are counted in one summary line.</summary>
    private const int HandshakeLogLinesPerSecond = 10;

    /// <summary>A moment without accepting, after accept() failed.</summary>
    private static readonly TimeSpan AcceptPause = TimeSpan.FromMilliseconds(50);

    private readonly object _gate = new();
    private readonly HashSet<WebSocketConnection> _connections = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _allServed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _inheritedListener;
    private ServerSettings? _settings;
    private Task _acceptLoop = Task.CompletedTask;
    private int _serving;
    private int _acceptFailures;

    public WebSocketServer(string location)
    {
        Location = ServerLocation.Parse(location);
        ListenerSocket = new Socket(Location.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (Location.Address.Equals(IPAddress.IPv6Any))
        {
            ListenerSocket.DualMode = true;
        }
    }

    /// <summary>Serves on a socket that is already bound and listening (socket activation).</summary>
    public WebSocketServer(Socket listeningSocket, string location)
    {
        Location = ServerLocation.Parse(location);
        ListenerSocket = listeningSocket;
        _inheritedListener = true;
    }

    public ServerLocation Location { get; }

    public Socket ListenerSocket { get; }

    /// <summary>The bound port: the one asked for, or the one the system picked for port 0.</summary>
    public int Port { get; private set; }

    public IReadOnlyCollection<string> SupportedSubProtocols { get; set; } = [];

    /// <summary>The certificate for wss:// with the intermediate certificates to send. Read for every TLS handshake, so replacing it reloads it.</summary>
    public SslStreamCertificateContext? CertificateContext { get; set; }

    public SslProtocols EnabledSslProtocols { get; set; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    public WebSocketServerOptions Options { get; set; } = new();

    /// <summary>Which request paths (query excluded) are WebSocket endpoints; default: the location's path.</summary>
    public Func<string, bool>? PathFilter { get; set; }

    public ILogger Logger { get; set; } = Serilog.Core.Logger.None;

    /// <summary>
    /// Answers plain HTTP requests (those without <c>Upgrade: websocket</c>) before the WebSocket
    /// checks run; returning null leaves the request to them (404, 405, 426 ...). The answer is sent
    /// with <c>Connection: close</c>, without a body for HEAD.
    /// </summary>
    public Func<Handshake.HttpRequest, Handshake.HttpResponse?>? HttpHandler { get; set; }

    public ServerMetrics Metrics { get; } = new();

    /// <summary>The clock for keep-alive, handshake deadlines, close timeouts and connection rates.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Accepted sockets and their limits (null before Start).</summary>
    internal ConnectionSlots? Slots => _settings?.Slots;

    public int ConnectionCount => (int)Metrics.ConnectionsOpen;

    public void Start(Action<IWebSocketConnection> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (_settings is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }

        if (Location.IsSecure && CertificateContext is null)
        {
            throw new InvalidOperationException("A wss:// location needs a CertificateContext.");
        }

        string path = Location.Path;
        _settings = new ServerSettings(Options, [.. SupportedSubProtocols], PathFilter ?? (p => p == path),
            config, Location.IsSecure, () => CertificateContext, EnabledSslProtocols, Metrics, Logger, HttpHandler,
            new ConnectionSlots(SlotLimits.From(Options), Time),
            new Logging.LogThrottle(Logger, "handshake failure", HandshakeLogLinesPerSecond, TimeSpan.FromSeconds(1), Time), Time);
        if (!_inheritedListener)
        {
            ListenerSocket.Bind(new IPEndPoint(Location.Address, Location.Port));
            // The longest accept queue the kernel allows (net.core.somaxconn): in a connection storm a short
            // one drops a newcomer's SYN, which costs it a 1 s retransmit.
            ListenerSocket.Listen();
        }

        ListenerSocket.NoDelay = Options.NoDelay;
        Port = ((IPEndPoint)ListenerSocket.LocalEndPoint!).Port;
        StartSweeps(_settings);
        _acceptLoop = AcceptLoopAsync(_settings);
    }

    /// <summary>
    /// Stops accepting, drops clients still in their handshake, sends every open connection a close
    /// frame, waits up to <paramref name="timeout"/> for them to finish, then aborts the rest. Safe to call twice.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout, int closeCode = (int)WebSocketCloseStatus.EndpointUnavailable, string reason = "server shutting down")
    {
        StopAccepting();
        await _acceptLoop.ConfigureAwait(false);
        if (Volatile.Read(ref _serving) == 0)
        {
            _allServed.TrySetResult();
        }

        var connections = ResetHandshakesAndSnapshot();
        foreach (var connection in connections)
        {
            connection.Close(closeCode, reason);
        }

        try
        {
            await _allServed.Task.WaitAsync(timeout, Time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Logger.Warning("{Count} connections did not close within {Timeout}; aborting them", Volatile.Read(ref _serving), timeout);
            foreach (var connection in connections)
            {
                connection.Abort();
            }

            await _allServed.Task.WaitAsync(TimeSpan.FromSeconds(1), Time).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Stops accepting and aborts every connection without waiting (see <see cref="StopAsync"/> for a graceful stop).</summary>
    public void Dispose()
    {
        StopAccepting();
        foreach (var connection in ResetHandshakesAndSnapshot())
        {
            connection.Abort();
        }
    }

    private void StopAccepting()
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _stopping.Cancel();
            StopSweeps();
            _settings?.HandshakeLog.Dispose();
        }

        ListenerSocket.Dispose();
    }

    /// <summary>Resets every socket still in its handshake; returns the open connections.</summary>
    private WebSocketConnection[] ResetHandshakesAndSnapshot()
    {
        foreach (var slot in _settings?.Slots.Handshaking() ?? [])
        {
            slot.Reset();
        }

        lock (_gate)
        {
            return [.. _connections];
        }
    }

    private async Task AcceptLoopAsync(ServerSettings settings)
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await ListenerSocket.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (token.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            catch (SocketException ex)
            {
                if (!await AcceptFailedAsync(settings, ex, token).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            if (_acceptFailures > 0)
            {
                Logger.Warning("Accepting connections again after {Failures} failed attempts", _acceptFailures);
                _acceptFailures = 0;
            }

            if (RemoteAddress(client) is not { } address)
            {
                client.Dispose();
                continue;
            }

            var admission = settings.Slots.Admit(client, address);
            foreach (var shed in admission.Shed)
            {
                settings.Metrics.HandshakeFailed(HandshakeFailure.Shed);
                shed.Reset();
            }

            if (admission.Dropped)
            {
                settings.Metrics.HandshakeFailed(HandshakeFailure.ServerFull);
                admission.Slot.Reset();
                continue;
            }

            Interlocked.Increment(ref _serving);
            _ = ServeAsync(client, admission, settings);
        }
    }

    /// <summary>
    /// One accepted socket's whole life: the handshake, the open connection's receive loop, the end;
    /// and in one finally its slot given back and the connection forgotten. Never throws.
    /// </summary>
    private async Task ServeAsync(Socket socket, Admission admission, ServerSettings settings)
    {
        WebSocketConnection? connection = null;
        try
        {
            connection = await Upgrade.RunAsync(socket, admission, settings).ConfigureAwait(false);
            if (connection is null)
            {
                return;
            }

            Track(connection, settings);
            connection.Opened();
            while (await connection.ReceiveMessageAsync(await connection.NextMessageAsync().ConfigureAwait(false)).ConfigureAwait(false))
            {
            }
        }
        catch (Exception ex)
        {
            connection?.Broke(ex);
        }
        finally
        {
            if (connection is not null)
            {
                await connection.EndAsync().ConfigureAwait(false);
                lock (_gate)
                {
                    _connections.Remove(connection);
                }
            }

            settings.Slots.Release(admission.Slot);
            socket.Dispose();
            connection?.Closed();
            if (Interlocked.Decrement(ref _serving) == 0 && _stopping.IsCancellationRequested)
            {
                _allServed.TrySetResult();
            }
        }
    }

    /// <summary>Lets the application set its handlers, and tracks the connection (a stopping server aborts it instead).</summary>
    private void Track(WebSocketConnection connection, ServerSettings settings)
    {
        try
        {
            settings.Configure(connection);
        }
        catch (Exception ex)
        {
            settings.Log.Error(ex, "The server's connection setup failed for {ConnectionId}", connection.Info.Id);
            connection.Close((int)WebSocketCloseStatus.InternalServerError, "server error");
        }

        lock (_gate)
        {
            if (!_stopping.IsCancellationRequested)
            {
                _connections.Add(connection);
                return;
            }
        }

        connection.Abort();
    }

    /// <summary>The peer's address, or null when it is already gone (a reset right after the connect).</summary>
    private static IPAddress? RemoteAddress(Socket client)
    {
        try
        {
            return (client.RemoteEndPoint as IPEndPoint)?.Address;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>
    /// accept() failed. Out of descriptors (EMFILE, ENFILE) must never reach the point where the
    /// runtime itself cannot open one (it then cannot start a thread, and the process dies): the
    /// slot limits keep a reserve, and should the limit be hit anyway the oldest unfinished handshake
    /// gives its descriptor back and accepting pauses for a moment. Said once per episode.
    /// </summary>
    /// <returns>false when the server is stopping.</returns>
    private async Task<bool> AcceptFailedAsync(ServerSettings settings, SocketException ex, CancellationToken token)
    {
        if (_acceptFailures++ == 0)
        {
            Logger.Warning("Accepting a connection failed: {Error}; pausing accepts and shedding unfinished handshakes until it works again",
                ex.SocketErrorCode);
        }

        if (ex.SocketErrorCode is SocketError.TooManyOpenSockets && settings.Slots.ShedOldest() is { } oldest)
        {
            settings.Metrics.HandshakeFailed(HandshakeFailure.Shed);
            oldest.Reset();
        }

        try
        {
            await Task.Delay(AcceptPause, Time, token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
