using FleckChat.Chat;
using FleckChat.Limits;
using FleckChat.Server;
using Serilog;

namespace FleckChat.Tests.Support;

/// <summary>A real <see cref="WebSocketServer"/> on 127.0.0.1 with a port the system picked.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(WebSocketServer server) => Server = server;

    public WebSocketServer Server { get; }

    public int Port => Server.Port;

    public Uri Uri => new($"ws://127.0.0.1:{Server.Port}/chat");

    /// <summary>
    /// The server's defaults without the limits per client address: every test client comes from
    /// 127.0.0.1, and some tests open hundreds of connections in a few seconds.
    /// </summary>
    public static WebSocketServerOptions NoAddressLimits { get; } = new()
    {
        MaxConnectionsPerIp = 0,
        MaxHandshakesPerIp = 0,
        ConnectRatePerIp = RateLimit.Off,
    };

    /// <param name="options">The server's options; none: <see cref="NoAddressLimits"/>.</param>
    public static TestServer Start(Action<IWebSocketConnection> config, WebSocketServerOptions? options = null,
        Action<WebSocketServer>? setup = null, ILogger? log = null)
    {
        var server = new WebSocketServer("ws://127.0.0.1:0/chat")
        {
            Options = options ?? NoAddressLimits,
            Logger = log ?? Serilog.Core.Logger.None,
        };
        setup?.Invoke(server);
        server.Start(config);
        return new TestServer(server);
    }

    /// <summary>The chat its connections join, when started with <see cref="StartChat"/>.</summary>
    public ChatHub? Chat { get; private set; }

    /// <summary>
    /// A server whose connections join a <see cref="ChatHub"/>, wired as the daemon wires it; the watch
    /// follows the chat's member count through its join and leave log lines.
    /// </summary>
    public static (TestServer Server, MemberWatch Members) StartChat(WebSocketServerOptions? options = null, ChatOptions? chatOptions = null,
        ILogger? chatLog = null)
    {
        var members = new MemberWatch();
        var chat = new ChatHub(chatOptions ?? new ChatOptions(), members.Wrap(chatLog));
        var server = Start(chat.Attach, options, s =>
        {
            s.PathFilter = chat.IsPathServed;
            s.SupportedSubProtocols = [FleckChat.Chat.Formats.JsonFormat.SubProtocol];
        });
        server.Chat = chat;
        return (server, members);
    }

    public async ValueTask DisposeAsync() => await Server.StopAsync(TimeSpan.FromSeconds(2));
}
