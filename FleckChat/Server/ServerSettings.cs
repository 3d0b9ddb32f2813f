using System.Net.Security;
using System.Security.Authentication;
using Serilog;

namespace FleckChat.Server;

/// <summary>
/// What every connection of a started server shares: a snapshot taken by Start, so changing the
/// server's properties afterwards cannot half-apply to connections already being accepted. The
/// certificate is the exception: it is read per TLS handshake, so it can be replaced (reloaded) live.
/// </summary>
internal sealed record ServerSettings(
    WebSocketServerOptions Options,
    string[] SubProtocols,
    Func<string, bool> IsPathServed,
    Action<IWebSocketConnection> Configure,
    bool IsSecure,
    Func<SslStreamCertificateContext?> CertificateContext,
    SslProtocols SslProtocols,
    ServerMetrics Metrics,
    ILogger Log,
    Func<Handshake.HttpRequest, Handshake.HttpResponse?>? HttpHandler,
    ConnectionSlots Slots,
    Logging.LogThrottle HandshakeLog,
    TimeProvider Time);
