using System.Net.Sockets;
using System.Reflection;
using FleckChat.Chat;
using FleckChat.Chat.Formats;
using FleckChat.Cluster;
using FleckChat.Hosting.Http;
using FleckChat.Server;
using Serilog;

namespace FleckChat.Hosting;

/// <summary>The daemon's parts put together: a WebSocket server whose connections join the chat.</summary>
internal sealed class ChatDaemon : IAsyncDisposable
{
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);

    private readonly ILogger _log;
    private readonly WebSocketServer _server;

    /// <param name="listener">A listening socket to serve on (socket activation) instead of binding the options' address.</param>
    /// <param name="logFiles">The log files <paramref name="log"/> writes, whose failures /healthz and /metrics report.</param>
    public ChatDaemon(DaemonOptions options, ILogger log, TimeProvider? time = null, Socket? listener = null, LogFiles? logFiles = null)
    {
        _log = log;
        Cluster = options.Redis is null
            ? null
            : new ClusterNode(new RedisLink(options.Redis, log, time ?? TimeProvider.System), options.RedisLease, options.Chat.HistorySize,
                options.Chat.ResumeLifetime, log, time ?? TimeProvider.System);
        Chat = new ChatHub(options.Chat, log, options.Path, time, Cluster);
        string location = options.Location.ToString();
        _server = listener is null ? new WebSocketServer(location) : new WebSocketServer(listener, location);
        _server.Options = options.Server;
        _server.Logger = log;
        _server.SupportedSubProtocols = [JsonFormat.SubProtocol];
        _server.PathFilter = Chat.IsPathServed;
        Http = new DaemonHttp(options, _server, Chat, Version, log, logFiles, Cluster);
        _server.HttpHandler = Http.PublicRouter.Handle;
    }

    public static string Version { get; } =
        typeof(ChatDaemon).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public ChatHub Chat { get; }

    /// <summary>The daemon as a node of a cluster (<c>--redis</c>); null for a single daemon.</summary>
    public ClusterNode? Cluster { get; }

    /// <summary>The link to the cluster's Redis (<c>--redis</c>); null for a single daemon.</summary>
    public RedisLink? Redis => Cluster?.Link;

    /// <summary>The browser page, /healthz and /metrics (on the chat port or their own listener).</summary>
    public DaemonHttp Http { get; }

    public WebSocketServer Server => _server;

    /// <summary>The bound port (useful when the options asked for port 0).</summary>
    public int Port => _server.Port;

    public string Endpoint => _server.Location.Format(_server.Port);

    /// <summary>
    /// Binds and starts serving as <see cref="Start"/>, then connects to Redis when the options name
    /// one. Serving comes first: the client waits up to its connect timeout (5 s unless the
    /// configuration says otherwise) when Redis is down, and members need not wait for that; until
    /// the link is up /healthz says 503. An unreachable Redis leaves the daemon degraded, not
    /// stopped (see <see cref="RedisLink"/>).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Start();
        if (Cluster is not null)
        {
            Cluster.Recover = Chat.RecoverAsync;
            await Cluster.StartAsync(Chat.NodeMessageArrived, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Binds and starts serving, without Redis (<see cref="StartAsync"/> connects it first). Throws <see cref="SocketException"/> when the address cannot be used.</summary>
    public void Start()
    {
        Http.Start();
        _server.Start(Chat.Attach);
        _log.Information("FleckChat {Version} listening on {Endpoint}", Version, Endpoint);
    }

    /// <summary>Stops accepting, closes every member with 1001 and waits for them (bounded, <see cref="StopTimeout"/> unless told otherwise).</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        Http.Status.MarkStopping();
        _log.Information("Shutting down: closing {Count} connections with 1001", _server.ConnectionCount);
        await _server.StopAsync(timeout ?? StopTimeout).ConfigureAwait(false);
        if (Cluster is not null)
        {
            // The members' leaves release their names and tell their rooms before the link goes.
            await Chat.DrainAsync(timeout ?? StopTimeout).ConfigureAwait(false);
        }

        Chat.Dispose();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync().ConfigureAwait(false);
        }

        await Http.StopAsync().ConfigureAwait(false);
        _log.Information("Stopped");
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        Chat.Dispose();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync().ConfigureAwait(false);
        }

        await Http.DisposeAsync().ConfigureAwait(false);
    }
}
