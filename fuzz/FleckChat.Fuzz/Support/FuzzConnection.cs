using System.Net;
using System.Text;
using FleckChat.Server;

namespace FleckChat.Fuzz;

/// <summary>An in-memory connection that keeps what the chat posts to it, so a harness can check it.</summary>
internal sealed class FuzzConnection(string path, string subProtocol) : IWebSocketConnection
{
    private static readonly IPEndPoint Remote = new(IPAddress.Loopback, 40000);

    public Action OnOpen { get; set; } = () => { };

    public Action OnClose { get; set; } = () => { };

    public Action<string> OnMessage { get; set; } = _ => { };

    public Action<byte[]> OnBinary { get; set; } = _ => { };

    public Action<Exception> OnError { get; set; } = _ => { };

    public IWebSocketConnectionInfo ConnectionInfo { get; } = new Info(path, subProtocol);

    public bool IsAvailable { get; private set; } = true;

    public ConnectionStatistics Statistics { get; } = new(DateTimeOffset.UtcNow, 0, 0, 0, 0, null, "");

    /// <summary>Every text message posted, decoded.</summary>
    public List<string> Received { get; } = [];

    /// <summary>The UTF-8 bytes of everything posted.</summary>
    public long ReceivedBytes { get; private set; }

    public void Send(string message) => Post(OutboundMessage.Text(message));

    public void Send(byte[] message)
    {
    }

    public bool Post(OutboundMessage message)
    {
        if (!IsAvailable)
        {
            return false;
        }

        ReceivedBytes += message.Payload.Length;
        Received.Add(Encoding.UTF8.GetString(message.Payload));
        return true;
    }

    public void Close() => Close(1000);

    public void Close(int code) => Close(code, "");

    public void Close(int code, string reason) => IsAvailable = false;

    private sealed class Info(string path, string subProtocol) : IWebSocketConnectionInfo
    {
        public Guid Id { get; } = Guid.NewGuid();

        public string ClientIpAddress => "127.0.0.1";

        public int ClientPort => Remote.Port;

        public string Path => path;

        public string Host => "localhost";

        public string Origin => "";

        public string SubProtocol => subProtocol;

        public string NegotiatedSubProtocol => subProtocol;

        public IReadOnlyDictionary<string, string> Headers { get; } = new Dictionary<string, string>();

        public IReadOnlyDictionary<string, string> Cookies { get; } = new Dictionary<string, string>();

        public IPEndPoint RemoteEndPoint => Remote;
    }
}
