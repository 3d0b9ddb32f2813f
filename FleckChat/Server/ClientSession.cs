using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using FleckChat.Server.Handshake;
using FleckChat.Server.Transport;

namespace FleckChat.Server;

/// <summary>
/// One accepted socket, from TLS and the HTTP upgrade to the end of its WebSocket connection. A
/// request that does not become a WebSocket gets its HTTP error here and never reaches the
/// application.
/// </summary>
internal sealed class ClientSession
{
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly ServerSettings _settings;
    private readonly ISessionTracker _tracker;
    private readonly IPEndPoint _remote;
    private readonly Admission _admission;
    private WebSocketConnection? _connection;
    private Task _handshake = Task.CompletedTask;
    private volatile bool _aborted;

    public ClientSession(Socket socket, ServerSettings settings, ISessionTracker tracker, Admission admission)
    {
        _socket = socket;
        _settings = settings;
        _tracker = tracker;
        _admission = admission;
        _remote = (IPEndPoint)socket.RemoteEndPoint!;
    }

    /// <summary>
    /// Runs the handshake. Once it succeeds the connection lives on by itself (so that an idle member
    /// does not also keep this method's state alive) and tells this session when it ends.
    /// </summary>
    public void Start() => _handshake = RunAsync();

    /// <summary>Completes when the handshake is over (failed, or handed over to a connection); never faults.</summary>
    public Task Handshake => _handshake;

    public void Abort()
    {
        _aborted = true;
        if (_connection is { } connection)
        {
            connection.Abort();
        }
        else
        {
            _socket.Dispose();
        }
    }

    private async Task RunAsync()
    {
        var remote = _remote;
        Stream transport = new SocketStream(_socket);
        bool handedOver = false;
        try
        {
            if (_admission.Refusal is { } refusal)
            {
                // Refused at accept(): answered at once, without reading the request.
                await RejectAsync(transport, new HandshakeRejection(503, refusal,
                    [new("Retry-After", _admission.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))]), remote).ConfigureAwait(false);
                return;
            }

            _socket.NoDelay = _settings.Options.NoDelay;
            var accepted = await HandshakeAsync(transport, remote).ConfigureAwait(false);
            if (accepted is null)
            {
                return;
            }

            (transport, var connection) = accepted.Value;
            handedOver = true;
            _connection = connection;
            Configure(connection);

            // From here on the server tracks the connection (and its slot), not this session.
            if (!_tracker.HandedOver(this, connection) || _aborted)
            {
                connection.Abort();
            }

            connection.Start(_tracker);
        }
        catch (Exception ex) when (!handedOver && (WebSocketConnection.IsDisconnect(ex) || ex is AuthenticationException))
        {
            // A timed-out or shed handshake shows up as a closed socket: the server reset it.
            var (kind, reason) = _admission.Slot.State switch
            {
                SlotState.TimedOut => (HandshakeFailure.Timeout, "handshake timed out"),
                SlotState.Shed => (HandshakeFailure.Shed, "unfinished handshake shed to make room"),
                _ => (HandshakeFailures.FromException(ex), ex.Message),
            };
            HandshakeFailed(remote, 0, reason, kind);
        }
        catch (Exception ex)
        {
            _settings.Log.Error(ex, "Unexpected error serving {RemoteEndPoint}", remote);
        }
        finally
        {
            if (!handedOver)
            {
                await transport.DisposeAsync().ConfigureAwait(false);
                _settings.Slots.Release(_admission.Slot);
                _tracker.HandshakeEnded(this);
            }

            // The connection lives on by itself; holding this finished task would only keep its state.
            _handshake = Task.CompletedTask;
        }
    }

    /// <returns>The transport and the open connection, or null when the request was answered with an error.</returns>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(Stream, WebSocketConnection)?> HandshakeAsync(Stream transport, IPEndPoint remote)
    {
        if (_settings.IsSecure)
        {
            transport = await AuthenticateAsync(transport).ConfigureAwait(false);
        }

        var head = await RequestHeadReader.ReadAsync(transport, _settings.Options.MaxRequestHeadBytes, CancellationToken.None).ConfigureAwait(false);
        if (head.IsClosed)
        {
            _settings.Log.Debug("{RemoteEndPoint} closed before finishing its handshake", remote);
            return null;
        }

        var request = head.Request;
        request?.RemoteEndPoint = remote;
        if (request is not null && _settings.HttpHandler is { } handler && !request.HeaderHasToken("Upgrade", "websocket") &&
            handler(request) is { } response)
        {
            await RespondAsync(transport, request, response).ConfigureAwait(false);
            return null;
        }

        var rejection = head.Rejection ?? HandshakeValidator.Validate(request!, _settings.IsPathServed, _settings.Options.AllowedOrigins);
        string? subProtocol = null;
        if (rejection is null)
        {
            subProtocol = SubProtocolNegotiator.Negotiate(_settings.SubProtocols, request!.Header("Sec-WebSocket-Protocol"));
            if (subProtocol is null)
            {
                rejection = HandshakeRejection.BadRequest(
                    $"none of the offered subprotocols is supported (supported: {string.Join(", ", _settings.SubProtocols)})");
            }
        }

        if (rejection is not null)
        {
            await RejectAsync(transport, rejection, remote).ConfigureAwait(false);
            return null;
        }

        // The slot becomes an open connection's before the client can read 101: once it has, it may
        // connect again at once, and that newcomer must not find this socket still sheddable.
        if (!_settings.Slots.Opened(_admission.Slot))
        {
            return null;
        }

        await transport.WriteAsync(HttpResponses.SwitchingProtocols(request!.Header("Sec-WebSocket-Key"), subProtocol!)).ConfigureAwait(false);
        return (transport, Open(transport, request, remote, subProtocol!, head.Leftover));
    }

    private WebSocketConnection Open(Stream transport, HttpRequest request, IPEndPoint remote, string subProtocol, byte[] leftover)
    {
        var options = _settings.Options;
        var observer = new ControlFrameObserver();
        var stream = new ConnectionStream(transport, leftover, observer);
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = subProtocol.Length > 0 ? subProtocol : null,
            // Keep-alive is the server's (one timer for all connections, see KeepAliveSweeper), not a timer per WebSocket.
            KeepAliveInterval = TimeSpan.Zero,
        });
        var connection = new WebSocketConnection(socket, _socket, stream, new ConnectionInfo(request, remote, subProtocol), _settings)
        {
            Slot = _admission.Slot,
        };
        observer.Listener = connection;
        return connection;
    }

    private void Configure(WebSocketConnection connection)
    {
        try
        {
            _settings.Configure(connection);
        }
        catch (Exception ex)
        {
            _settings.Log.Error(ex, "The server's connection setup failed for {ConnectionId}", connection.Info.Id);
            connection.Close((int)WebSocketCloseStatus.InternalServerError, "server error");
        }
    }

    private async Task<Stream> AuthenticateAsync(Stream transport)
    {
        var context = _settings.CertificateContext();
        var certificate = context is null ? _settings.Certificate() ?? throw new AuthenticationException("no server certificate configured") : null;
        var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            ServerCertificate = certificate,
            EnabledSslProtocols = _settings.SslProtocols,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        }, CancellationToken.None).ConfigureAwait(false);
        return ssl;
    }

    private async Task RejectAsync(Stream transport, HandshakeRejection rejection, IPEndPoint remote)
    {
        HandshakeFailed(remote, rejection.Status, rejection.Reason, HandshakeFailures.FromStatus(rejection.Status));
        await transport.WriteAsync(HttpResponses.Error(rejection)).ConfigureAwait(false);
        await transport.FlushAsync().ConfigureAwait(false);
        await LingeringClose.RunAsync(_socket, Linger).ConfigureAwait(false);
    }

    private async Task RespondAsync(Stream transport, HttpRequest request, HttpResponse response)
    {
        var bytes = HttpResponses.Plain(response.Status, response.ContentType, response.Body, response.Headers, includeBody: request.Method != "HEAD");
        await transport.WriteAsync(bytes).ConfigureAwait(false);
        await transport.FlushAsync().ConfigureAwait(false);
        await LingeringClose.RunAsync(_socket, Linger).ConfigureAwait(false);
    }

    private void HandshakeFailed(IPEndPoint remote, int status, string reason, HandshakeFailure kind)
    {
        _settings.Metrics.HandshakeFailed(kind);
        if (!_settings.HandshakeLog.Allow())
        {
            return;
        }

        _settings.Log.Information("Handshake from {RemoteEndPoint} failed: {Status} {Reason}", remote, status, reason);
    }
}
