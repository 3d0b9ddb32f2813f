using System.Net;

namespace FleckChat.Server;

/// <summary>What the handshake told us about a client, with Fleck's member names.</summary>
internal interface IWebSocketConnectionInfo
{
    Guid Id { get; }

    string ClientIpAddress { get; }

    int ClientPort { get; }

    /// <summary>The request target as sent, query string included (for example <c>/chat?name=alice</c>).</summary>
    string Path { get; }

    string Host { get; }

    string Origin { get; }

    /// <summary>The client's <c>Sec-WebSocket-Protocol</c> header as sent (empty when absent).</summary>
    string SubProtocol { get; }

    /// <summary>The subprotocol the server chose (empty when none).</summary>
    string NegotiatedSubProtocol { get; }

    IReadOnlyDictionary<string, string> Headers { get; }

    IReadOnlyDictionary<string, string> Cookies { get; }

    IPEndPoint RemoteEndPoint { get; }
}
