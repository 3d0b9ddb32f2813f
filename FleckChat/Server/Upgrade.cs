using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using FleckChat.Server.Handshake;
using FleckChat.Server.Transport;

namespace FleckChat.Server;

/// <summary>
/// The handshake of one accepted socket: TLS, the request head, the checks, and 101. A request that
/// does not become a WebSocket gets its HTTP answer here, is counted and logged, and never reaches
/// the application.
/// </summary>
internal static class Upgrade
{
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    /// <returns>The open connection, or null when the socket was answered (or went away) instead. Never throws.</returns>
    public static async Task<WebSocketConnection?> RunAsync(Socket socket, Admission admission, ServerSettings settings)
    {
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        Stream transport = new SocketStream(socket);
        WebSocketConnection? connection = null;
        try
        {
            if (admission.Refusal is { } refusal)
            {
                // Refused at accept(): answered at once, without reading the request.
                await RejectAsync(transport, socket, new HandshakeRejection(503, refusal,
                    [new("Retry-After", admission.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture))]), remote, settings).ConfigureAwait(false);
                return null;
            }

            socket.NoDelay = settings.Options.NoDelay;
            connection = await HandshakeAsync(transport, socket, admission, remote, settings).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (WebSocketConnection.IsDisconnect(ex) || ex is AuthenticationException)
        {
            // A timed-out or shed handshake shows up as a closed socket: the server reset it, and counted it then.
            switch (admission.Slot.State)
            {
                case SlotState.TimedOut:
                    LogFailure(remote, 0, "handshake timed out", settings);
                    break;
                case SlotState.Shed:
                    LogFailure(remote, 0, "unfinished handshake shed to make room", settings);
                    break;
                default:
                    CountFailure(remote, 0, ex.Message, ex is AuthenticationException ? HandshakeFailure.Tls : HandshakeFailure.Disconnected, settings);
                    break;
            }

            return null;
        }
        catch (Exception ex)
        {
            settings.Log.Error(ex, "Unexpected error serving {RemoteEndPoint}", remote);
            return null;
        }
        finally
        {
            if (connection is null)
            {
                await transport.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<WebSocketConnection?> HandshakeAsync(Stream transport, Socket socket, Admission admission, IPEndPoint remote, ServerSettings settings)
    {
        if (settings.IsSecure)
        {
            transport = await AuthenticateAsync(transport, settings).ConfigureAwait(false);
        }

        var head = await RequestHeadReader.ReadAsync(transport, settings.Options.MaxRequestHeadBytes, CancellationToken.None).ConfigureAwait(false);
        if (head.IsClosed)
        {
            settings.Log.Debug("{RemoteEndPoint} closed before finishing its handshake", remote);
            return null;
        }

        var request = head.Request;
        request?.RemoteEndPoint = remote;
        if (request is not null && settings.HttpHandler is { } handler && !request.HeaderHasToken("Upgrade", "websocket") &&
            handler(request) is { } response)
        {
            var bytes = HttpResponses.Plain(response.Status, response.ContentType, response.Body, response.Headers, includeBody: request.Method != "HEAD");
            await transport.WriteAsync(bytes).ConfigureAwait(false);
            await LingeringClose.RunAsync(socket, Linger).ConfigureAwait(false);
            return null;
        }

        var rejection = head.Rejection ?? HandshakeValidator.Validate(request!, settings.IsPathServed, settings.Options.AllowedOrigins);
        string? subProtocol = null;
        if (rejection is null)
        {
            subProtocol = SubProtocolNegotiator.Negotiate(settings.SubProtocols, request!.Header("Sec-WebSocket-Protocol"));
            if (subProtocol is null)
            {
                rejection = HandshakeRejection.BadRequest(
                    $"none of the offered subprotocols is supported (supported: {string.Join(", ", settings.SubProtocols)})");
            }
        }

        if (rejection is not null)
        {
            await RejectAsync(transport, socket, rejection, remote, settings).ConfigureAwait(false);
            return null;
        }

        // The slot becomes an open connection's before the client can read 101: once it has, it may
        // connect again at once, and that newcomer must not find this socket still sheddable.
        if (!settings.Slots.Opened(admission.Slot))
        {
            return null;
        }

        await transport.WriteAsync(HttpResponses.SwitchingProtocols(request!.Header("Sec-WebSocket-Key"), subProtocol!)).ConfigureAwait(false);
        return new WebSocketConnection(transport, socket, head.Leftover, new ConnectionInfo(request, remote, subProtocol!), settings);
    }

    private static async Task<Stream> AuthenticateAsync(Stream transport, ServerSettings settings)
    {
        var context = settings.CertificateContext() ?? throw new AuthenticationException("no server certificate configured");
        var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = settings.SslProtocols,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        }, CancellationToken.None).ConfigureAwait(false);
        return ssl;
    }

    private static async Task RejectAsync(Stream transport, Socket socket, HandshakeRejection rejection, IPEndPoint remote, ServerSettings settings)
    {
        CountFailure(remote, rejection.Status, rejection.Reason, rejection.Kind, settings);
        await transport.WriteAsync(HttpResponses.Error(rejection)).ConfigureAwait(false);
        await LingeringClose.RunAsync(socket, Linger).ConfigureAwait(false);
    }

    private static void CountFailure(IPEndPoint remote, int status, string reason, HandshakeFailure kind, ServerSettings settings)
    {
        settings.Metrics.HandshakeFailed(kind);
        LogFailure(remote, status, reason, settings);
    }

    private static void LogFailure(IPEndPoint remote, int status, string reason, ServerSettings settings)
    {
        if (settings.HandshakeLog.Allow())
        {
            settings.Log.Information("Handshake from {RemoteEndPoint} failed: {Status} {Reason}", remote, status, reason);
        }
    }
}
