using System.Collections.Concurrent;
using System.Net;
using System.Text;
using FleckChat.Server;

namespace FleckChat.Tests.Support;

/// <summary>An in-memory connection for chat rules: records what was posted to it and lets the test raise its events.</summary>
internal sealed class FakeConnection : IWebSocketConnection
{
    private readonly ConcurrentQueue<string> _received = new();
    private static int s_port = 40000;
    private readonly DateTimeOffset _opened = DateTimeOffset.UtcNow;
    private int? _closeCode;

    public FakeConnection(string path = "/chat", string subProtocol = "")
    {
        ConnectionInfo = new FakeInfo(new IPEndPoint(IPAddress.Loopback, Interlocked.Increment(ref s_port)), path, subProtocol);
    }

    public Action OnOpen { get; set; } = () => { };

    public Action OnClose { get; set; } = () => { };

    public Action<string> OnMessage { get; set; } = _ => { };

    public Action<byte[]> OnBinary { get; set; } = _ => { };

    public Action<Exception> OnError { get; set; } = _ => { };

    public IWebSocketConnectionInfo ConnectionInfo { get; }

    public bool IsAvailable { get; private set; } = true;

    /// <summary>Its close code once closed (by either side), null while open or after <see cref="Break"/>.</summary>
    public ConnectionStatistics Statistics => new(_opened, 0, 0, 0, 0, _closeCode, "");

    /// <summary>Every text message sent to this connection, in order.</summary>
    public IReadOnlyList<string> Received => [.. _received];

    public int? ClosedWith { get; private set; }

    public string? ClosedBecause { get; private set; }

    /// <summary>The last text message received.</summary>
    public string Last => Received[^1];

    /// <summary>Forgets what was received so far (to look only at what comes next).</summary>
    public void Clear() => _received.Clear();

    public void Send(string message) => _received.Enqueue(message);

    public void Send(byte[] message)
    {
    }

    public bool Post(OutboundMessage message)
    {
        if (!IsAvailable)
        {
            return false;
        }

        _received.Enqueue(Encoding.UTF8.GetString(message.Payload));
        return true;
    }

    public void Close() => Close(1000);

    public void Close(int code) => Close(code, "");

    public void Close(int code, string reason)
    {
        ClosedWith ??= code;
        ClosedBecause ??= reason;
        _closeCode ??= code;
        IsAvailable = false;
    }

    public void Open() => OnOpen();

    public void Say(string text) => OnMessage(text);

    /// <summary>The client closes cleanly (a close frame): the server would raise OnClose.</summary>
    public void Disconnect()
    {
        _closeCode ??= 1000;
        IsAvailable = false;
        OnClose();
    }

    /// <summary>The connection breaks (no close frame: a reset, a dead network): the server would raise OnClose.</summary>
    public void Break()
    {
        IsAvailable = false;
        OnClose();
    }

    private sealed class FakeInfo(IPEndPoint remote, string path, string subProtocol) : IWebSocketConnectionInfo
    {
        public Guid Id { get; } = Guid.NewGuid();

        public string ClientIpAddress => remote.Address.ToString();

        public int ClientPort => remote.Port;

        public string Path => path;

        public string Host => "localhost";

        public string Origin => "";

        public string SubProtocol => "";

        public string NegotiatedSubProtocol => subProtocol;

        public IReadOnlyDictionary<string, string> Headers { get; } = new Dictionary<string, string>();

        public IReadOnlyDictionary<string, string> Cookies { get; } = new Dictionary<string, string>();

        public IPEndPoint RemoteEndPoint => remote;
    }
}
