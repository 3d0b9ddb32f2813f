using System.Net.Sockets;
using System.Reflection;
using FleckChat.Chat;
using FleckChat.Server;
using Serilog;

namespace FleckChat.Hosting;

/// <summary>The daemon's parts put together: a WebSocket server whose connections join one chat room.</summary>
internal sealed class ChatDaemon : IAsyncDisposable
{
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);

    private readonly DaemonOptions _options;
    private readonly ILogger _log;
    private readonly WebSocketServer _server;

    /// <param name="listener">A listening socket to serve on (socket activation) instead of binding the options' address.</param>
    public ChatDaemon(DaemonOptions options, ILogger log, Socket? listener = null)
    {
        _options = options;
        _log = log;
        _server = listener is null ? new WebSocketServer(options.Location) : new WebSocketServer(listener, options.Location);
        _server.Options = new WebSocketServerOptions { MaxMessageBytes = options.MaxMessageBytes };
        _server.Logger = log;
        Room = new ChatRoom(log);
    }

    public static string Version { get; } =
        typeof(ChatDaemon).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public ChatRoom Room { get; }

    public WebSocketServer Server => _server;

    /// <summary>The bound port (useful when the options asked for port 0).</summary>
    public int Port => _server.Port;

    public string Endpoint => _options.Format(_server.Port);

    /// <summary>Binds and starts serving. Throws <see cref="SocketException"/> when the address cannot be used.</summary>
    public void Start()
    {
        _server.Start(Room.Attach);
        _log.Information("FleckChat {Version} listening on {Endpoint}", Version, Endpoint);
    }

    /// <summary>Stops accepting, closes every member with 1001 and waits for them (bounded).</summary>
    public async Task StopAsync()
    {
        _log.Information("Shutting down: closing {Count} connections with 1001", _server.ConnectionCount);
        await _server.StopAsync(StopTimeout).ConfigureAwait(false);
        _log.Information("Stopped");
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
    }
}
