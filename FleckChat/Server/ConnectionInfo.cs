using System.Net;
using FleckChat.Server.Handshake;

namespace FleckChat.Server;

/// <summary>
/// The handshake's facts about one client. Only the request target and the raw request head are kept;
/// the headers are parsed again the first time someone asks for them. A connection lives for hours
/// and its headers are rarely looked at after the handshake, so this keeps an idle member small.
/// </summary>
internal sealed class ConnectionInfo : IWebSocketConnectionInfo
{
    private static readonly IReadOnlyDictionary<string, string> NoCookies = new Dictionary<string, string>();
    private readonly string _target;
    private readonly byte[] _head;
    private HttpRequest? _parsed;
    private IReadOnlyDictionary<string, string>? _cookies;

    public ConnectionInfo(HttpRequest request, IPEndPoint remote, string negotiatedSubProtocol)
    {
        _target = request.Target;
        _head = request.Head;
        RemoteEndPoint = remote;
        NegotiatedSubProtocol = negotiatedSubProtocol;
        Id = Guid.NewGuid();
    }

    public Guid Id { get; }

    public IPEndPoint RemoteEndPoint { get; }

    public string ClientIpAddress => RemoteEndPoint.Address.IsIPv4MappedToIPv6
        ? RemoteEndPoint.Address.MapToIPv4().ToString()
        : RemoteEndPoint.Address.ToString();

    public int ClientPort => RemoteEndPoint.Port;

    public string Path => _target;

    public string Host => Request.Header("Host");

    public string Origin => Request.Header("Origin");

    public string SubProtocol => Request.Header("Sec-WebSocket-Protocol");

    public string NegotiatedSubProtocol { get; }

    public IReadOnlyDictionary<string, string> Headers => Request.Headers;

    public IReadOnlyDictionary<string, string> Cookies => _cookies ??= ParseCookies(Request.Header("Cookie"));

    /// <summary>The head parsed again (it parsed once already, so it cannot fail now).</summary>
    private HttpRequest Request
    {
        get
        {
            if (_parsed is null)
            {
                if (!HttpRequestParser.TryParse(_head, out var parsed, out var error))
                {
                    throw new InvalidOperationException("A request head that parsed once failed to parse again: " + error);
                }

                _parsed = parsed!;
            }

            return _parsed;
        }
    }

    private static IReadOnlyDictionary<string, string> ParseCookies(string header)
    {
        if (header.Length == 0)
        {
            return NoCookies;
        }

        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                cookies[pair[..eq]] = pair[(eq + 1)..];
            }
        }

        return cookies;
    }
}
