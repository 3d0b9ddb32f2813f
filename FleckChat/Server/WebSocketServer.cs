using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Serilog;

namespace FleckChat.Server;

/// <summary>
/// A WebSocket server with Fleck's shape: <c>new WebSocketServer("ws://0.0.0.0:8080/chat")</c>, then
/// <c>server.Start(socket => { socket.OnOpen = ...; socket.OnMessage = ...; })</c>. Our own code:
/// the accept loop and handshake here, the protocol from .NET's WebSocket.
/// </summary>
internal sealed partial class WebSocketServer : IDisposable, IAsyncDisposable, ISessionTracker
{
    /// <summary>Failed handshakes logged per second at most; the rest are counted in one summary line.</summary>
    private const int HandshakeLogLinesPerSecond = 10;

    private readonly object _gate = new();
    private readonly HashSet<ClientSession> _handshakes = [];
    private readonly HashSet<WebSocketConnection> _connections = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly bool _inheritedListener;
    private ServerSettings? _settings;
    private Task _acceptLoop = Task.CompletedTask;
    private Timer? _sweeper;
    private ITimer? _handshakeSweeper;
    private int _acceptFailures;

    public WebSocketServer(string location, bool supportDualStack = true)
    {
        Location = ServerLocation.Parse(location);
        ListenerSocket = new Socket(Location.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (supportDualStack && Location.Address.Equals(IPAddress.IPv6Any))
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

    /// <summary>The certificate for wss://. Read for every TLS handshake, so replacing it reloads it.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>
    /// The certificate for wss:// with the intermediate certificates to send (a full chain); when set,
    /// it is used instead of <see cref="Certificate"/>. Also read for every TLS handshake.
    /// </summary>
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

    /// <summary>The clock for handshake deadlines and connection rates.</summary>
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

        string path = Location.Path;
        _settings = new ServerSettings(Options, [.. SupportedSubProtocols], PathFilter ?? (p => p == path),
            config, Location.IsSecure, () => Certificate, EnabledSslProtocols, Metrics, Logger, HttpHandler,
            new ConnectionSlots(SlotLimits.From(Options), Time), () => CertificateContext,
            new Logging.LogThrottle(Logger, "handshake failure", HandshakeLogLinesPerSecond, TimeSpan.FromSeconds(1), Time));
        if (Location.IsSecure && Certificate is null && CertificateContext is null)
        {
            throw new InvalidOperationException("A wss:// location needs a Certificate.");
        }

        if (!_inheritedListener)
        {
            ListenerSocket.Bind(new IPEndPoint(Location.Address, Location.Port));
            // The longest accept queue the kernel allows (net.core.somaxconn): in a connection storm a short
            // one drops a newcomer's SYN, which costs it a 1 s retransmit.
            ListenerSocket.Listen();
        }

        ListenerSocket.NoDelay = Options.NoDelay;
        Port = ((IPEndPoint)ListenerSocket.LocalEndPoint!).Port;
        _sweeper = new Timer(static s => ((WebSocketServer)s!).Sweep(), this, SweepPeriod(Options), SweepPeriod(Options));
        _handshakeSweeper = Time.CreateTimer(static s => ((WebSocketServer)s!).SweepHandshakes(), this,
            HandshakeSweepPeriod(Options), HandshakeSweepPeriod(Options));

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
        var (handshakes, connections) = Snapshot();
        foreach (var session in handshakes)
        {
            session.Abort();
        }

        foreach (var connection in connections)
        {
            connection.Close(closeCode, reason);
        }

        var all = Task.WhenAll(handshakes.Select(s => s.Handshake).Concat(connections.Select(c => c.Lifetime)));
        try
        {
            await all.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Logger.Warning("{Count} connections did not close within {Timeout}; aborting them", connections.Count(c => !c.Lifetime.IsCompleted), timeout);
            foreach (var connection in connections)
            {
                connection.Abort();
            }

            await all.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
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
        var (handshakes, connections) = Snapshot();
        foreach (var session in handshakes)
        {
            session.Abort();
        }

        foreach (var connection in connections)
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
            _sweeper?.Dispose();
            _handshakeSweeper?.Dispose();
            _settings?.HandshakeLog.Dispose();
        }

        ListenerSocket.Dispose();
    }

    private (ClientSession[] Handshakes, WebSocketConnection[] Connections) Snapshot()
    {
        lock (_gate)
        {
            return ([.. _handshakes], [.. _connections]);
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
                settings.Metrics.HandshakeShed();
                shed.Reset();
            }

            if (admission.Dropped)
            {
                settings.Metrics.HandshakeFailed(HandshakeFailure.ServerFull);
                admission.Slot.Reset();
                continue;
            }

            var session = new ClientSession(client, settings, this, admission);
            lock (_gate)
            {
                if (token.IsCancellationRequested)
                {
                    settings.Slots.Release(admission.Slot);
                    client.Dispose();
                    return;
                }

                _handshakes.Add(session);
            }

            session.Start();
        }
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
            settings.Metrics.HandshakeShed();
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

    void ISessionTracker.HandshakeEnded(ClientSession session)
    {
        lock (_gate)
        {
            _handshakes.Remove(session);
        }
    }

    bool ISessionTracker.HandedOver(ClientSession session, WebSocketConnection connection)
    {
        lock (_gate)
        {
            _handshakes.Remove(session);
            if (_stopping.IsCancellationRequested)
            {
                return false;
            }

            _connections.Add(connection);
            return true;
        }
    }

    /// <summary>A connection has ended: forget it and give its connection-limit slot back.</summary>
    void IConnectionOwner.ConnectionEnded(WebSocketConnection connection)
    {
        bool tracked;
        lock (_gate)
        {
            tracked = _connections.Remove(connection);
        }

        if (tracked && connection.Slot is { } slot)
        {
            _settings!.Slots.Release(slot);
        }
    }
}
