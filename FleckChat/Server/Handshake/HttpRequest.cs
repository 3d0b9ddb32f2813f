using System.Net;

namespace FleckChat.Server.Handshake;

/// <summary>An HTTP/1.x request head: request line and headers (names compared case-insensitively).</summary>
internal sealed class HttpRequest
{
    public HttpRequest(string method, string target, string version, Dictionary<string, string> headers, byte[] head)
    {
        Method = method;
        Target = target;
        Version = version;
        Headers = headers;
        Head = head;
    }

    /// <summary>The request head as received (without the final empty line), kept compactly for later parsing.</summary>
    public byte[] Head { get; }

    public string Method { get; }

    /// <summary>The request target as sent, query included.</summary>
    public string Target { get; }

    public string Version { get; }

    public Dictionary<string, string> Headers { get; }

    /// <summary>Who sent the request: set by the server when it read the request from a client.</summary>
    public IPEndPoint? RemoteEndPoint { get; set; }

    /// <summary>The target without its query string.</summary>
    public string Path
    {
        get
        {
            int q = Target.IndexOf('?', StringComparison.Ordinal);
            return q < 0 ? Target : Target[..q];
        }
    }

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";

    /// <summary>True when the comma-separated header contains the token (case-insensitive).</summary>
    public bool HeaderHasToken(string name, string token)
    {
        var rest = Header(name).AsSpan();
        while (!rest.IsEmpty)
        {
            int comma = rest.IndexOf(',');
            var part = (comma < 0 ? rest : rest[..comma]).Trim(" \t");
            if (part.Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            rest = comma < 0 ? [] : rest[(comma + 1)..];
        }

        return false;
    }
}
