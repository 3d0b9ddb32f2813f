using System.Net;
using FleckChat.Server.Handshake;

namespace FleckChat.Server;

/// <summary>The handshake's facts about one client.</summary>
internal sealed class ConnectionInfo : IWebSocketConnectionInfo
{
    private static readonly IReadOnlyDictionary<string, string> NoCookies = new Dictionary<string, string>();
    private readonly HttpRequest _request;
    private IReadOnlyDictionary<string, string>? _cookies;

    public ConnectionInfo(HttpRequest request, IPEndPoint remote, string negotiatedSubProtocol)
    {
        _request = request;
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

    public string Path => _request.Target;

    /// <summary>The path without the query string.</summary>
    public string PathOnly => _request.Path;

    public string Query => _request.Query;

    public string Host => _request.Header("Host");

    public string Origin => _request.Header("Origin");

    public string SubProtocol => _request.Header("Sec-WebSocket-Protocol");

    public string NegotiatedSubProtocol { get; }

    public IReadOnlyDictionary<string, string> Headers => _request.Headers;

    public IReadOnlyDictionary<string, string> Cookies => _cookies ??= ParseCookies(_request.Header("Cookie"));

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
