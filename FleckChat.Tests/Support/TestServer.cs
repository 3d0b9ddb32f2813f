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

    /// <summary>A server whose connections join a <see cref="ChatServer"/>, wired as the daemon wires it.</summary>
    public static (TestServer Server, ChatServer Chat) StartChat(WebSocketServerOptions? options = null, ChatOptions? chatOptions = null,
        ILogger? chatLog = null)
    {
        var chat = new ChatServer(chatOptions ?? new ChatOptions(), chatLog ?? Serilog.Core.Logger.None);
        var server = Start(chat.Attach, options, s =>
        {
            s.PathFilter = chat.IsPathServed;
            s.SupportedSubProtocols = [FleckChat.Chat.Formats.JsonFormat.SubProtocol];
        });
        return (server, chat);
    }

    public async ValueTask DisposeAsync() => await Server.StopAsync(TimeSpan.FromSeconds(2));
}
