using System.Net;

namespace FleckChat.Server;

/// <summary>
/// A Fleck-style location such as <c>ws://0.0.0.0:8080/chat</c>, <c>ws://[::]:8080</c> or
/// <c>wss://127.0.0.1:8443</c>: scheme, an IP address (or <c>localhost</c>), a port (0 picks a free
/// one) and an optional path.
/// </summary>
internal sealed record ServerLocation(bool IsSecure, IPAddress Address, int Port, string Path)
{
    public static ServerLocation Parse(string location)
    {
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || (uri.Scheme != "ws" && uri.Scheme != "wss"))
        {
            throw new FormatException($"'{location}' is not a ws:// or wss:// location.");
        }

        IPAddress address;
        if (uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out address!))
        {
            throw new FormatException($"'{uri.Host}' in '{location}' is not an IP address.");
        }

        int port = uri.Port >= 0 ? uri.Port : uri.Scheme == "wss" ? 443 : 80;
        return new ServerLocation(uri.Scheme == "wss", address, port, uri.AbsolutePath);
    }

    public string Scheme => IsSecure ? "wss" : "ws";

    public override string ToString() => Format(Port);

    public string Format(int port)
    {
        string host = Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString();
        return $"{Scheme}://{host}:{port}{(Path == "/" ? "" : Path)}";
    }
}
