using System.Net.Sockets;
using System.Text;

namespace FleckChat.Hosting.Systemd;

/// <summary>
/// The service manager's notification socket (<c>$NOTIFY_SOCKET</c>): one datagram per state change,
/// as in sd_notify(3). A path or an abstract name (<c>@name</c>); the protocol needs no library.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endPoint;

    private NotifySocket(UnixDomainSocketEndPoint endPoint)
    {
        _endPoint = endPoint;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public string Address { get; private init; } = "";

    /// <summary>The socket named by <c>NOTIFY_SOCKET</c>, or null when the daemon does not run under a service manager.</summary>
    /// <exception cref="StartupException">The variable names something this protocol cannot reach.</exception>
    public static NotifySocket? FromEnvironment(Func<string, string?> getEnvironment)
    {
        string? address = getEnvironment("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(address))
        {
            return null;
        }

        if (address[0] is not ('/' or '@'))
        {
            throw new StartupException($"NOTIFY_SOCKET: '{address}' is neither a socket path nor an abstract socket name (@name)");
        }

        // An abstract name starts with a NUL byte on the wire; systemd writes it as '@'.
        string path = address[0] == '@' ? "\0" + address[1..] : address;
        return new NotifySocket(new UnixDomainSocketEndPoint(path)) { Address = address };
    }

    /// <summary>Sends one notification such as <c>READY=1</c> (several may be joined with newlines).</summary>
    /// <exception cref="SocketException">The service manager's socket is gone or refused the datagram.</exception>
    public void Send(string state) => _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endPoint);

    public void Dispose() => _socket.Dispose();
}
