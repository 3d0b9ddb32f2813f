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
    private readonly Action<ClientSession> _ended;
    private WebSocketConnection? _connection;
    private volatile bool _aborted;

    public ClientSession(Socket socket, ServerSettings settings, Action<ClientSession> ended)
    {
        _socket = socket;
        _settings = settings;
        _ended = ended;
    }

    /// <summary>Completes when the client is gone; never faults.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = RunAsync();

    /// <summary>Closes an open connection with a close frame; drops one still in its handshake.</summary>
    public void Close(int code, string reason)
    {
        if (_connection is { } connection)
        {
            connection.Close(code, reason);
        }
        else
        {
            Abort();
        }
    }

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
        var remote = (IPEndPoint)_socket.RemoteEndPoint!;
        Stream transport = new NetworkStream(_socket, ownsSocket: true);
        bool handedOver = false;
        try
        {
            _socket.NoDelay = _settings.Options.NoDelay;
            var accepted = await HandshakeAsync(transport, remote).ConfigureAwait(false);
            if (accepted is null)
            {
                return;
            }

            (transport, var connection) = accepted.Value;
            handedOver = true;
            _connection = connection;
            if (_aborted)
            {
                connection.Abort();
            }

            Configure(connection);
            await connection.RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (!handedOver && (WebSocketConnection.IsDisconnect(ex) || ex is AuthenticationException))
        {
            string reason = ex is OperationCanceledException ? "handshake timed out" : ex.Message;
            HandshakeFailed(remote, 0, reason);
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
            }

            _ended(this);
        }
    }

    /// <returns>The transport and the open connection, or null when the request was answered with an error.</returns>
    private async Task<(Stream, WebSocketConnection)?> HandshakeAsync(Stream transport, IPEndPoint remote)
    {
        using var timeout = new CancellationTokenSource(_settings.Options.HandshakeTimeout);
        if (_settings.IsSecure)
        {
            transport = await AuthenticateAsync(transport, timeout.Token).ConfigureAwait(false);
        }

        var head = await RequestHeadReader.ReadAsync(transport, _settings.Options.MaxRequestHeadBytes, timeout.Token).ConfigureAwait(false);
        if (head.IsClosed)
        {
            _settings.Log.Debug("{RemoteEndPoint} closed before finishing its handshake", remote);
            return null;
        }

        var request = head.Request;
        if (request is not null && _settings.HttpHandler is { } handler && !request.HeaderHasToken("Upgrade", "websocket") &&
            handler(request) is { } response)
        {
            await RespondAsync(transport, request, response, timeout.Token).ConfigureAwait(false);
            return null;
        }

        var rejection = head.Rejection ?? HandshakeValidator.Validate(request!, _settings.IsPathServed);
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
            await RejectAsync(transport, rejection, remote, timeout.Token).ConfigureAwait(false);
            return null;
        }

        await transport.WriteAsync(HttpResponses.SwitchingProtocols(request!.Header("Sec-WebSocket-Key"), subProtocol!), timeout.Token).ConfigureAwait(false);
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
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveInterval > TimeSpan.Zero ? options.KeepAliveTimeout : Timeout.InfiniteTimeSpan,
        });
        var connection = new WebSocketConnection(socket, _socket, stream, new ConnectionInfo(request, remote, subProtocol), options, _settings.Metrics, _settings.Log);
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

    private async Task<Stream> AuthenticateAsync(Stream transport, CancellationToken cancellationToken)
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
        }, cancellationToken).ConfigureAwait(false);
        return ssl;
    }

    private async Task RejectAsync(Stream transport, HandshakeRejection rejection, IPEndPoint remote, CancellationToken cancellationToken)
    {
        HandshakeFailed(remote, rejection.Status, rejection.Reason);
        await transport.WriteAsync(HttpResponses.Error(rejection), cancellationToken).ConfigureAwait(false);
        await transport.FlushAsync(cancellationToken).ConfigureAwait(false);
        await LingeringClose.RunAsync(_socket, Linger).ConfigureAwait(false);
    }

    private async Task RespondAsync(Stream transport, HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var bytes = HttpResponses.Plain(response.Status, response.ContentType, response.Body, response.Headers, includeBody: request.Method != "HEAD");
        await transport.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await transport.FlushAsync(cancellationToken).ConfigureAwait(false);
        await LingeringClose.RunAsync(_socket, Linger).ConfigureAwait(false);
    }

    private void HandshakeFailed(IPEndPoint remote, int status, string reason)
    {
        _settings.Metrics.HandshakeFailed();
        _settings.Log.Information("Handshake from {RemoteEndPoint} failed: {Status} {Reason}", remote, status, reason);
    }
}
