using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FleckChat.Chat;
using FleckChat.Cluster;
using FleckChat.Hosting.Metrics;
using FleckChat.Limits;
using FleckChat.Server;
using FleckChat.Server.Handshake;
using Serilog;

namespace FleckChat.Hosting.Http;

/// <summary>
/// The daemon's plain-HTTP side. On the chat port: the browser page at /, and /healthz and /metrics
/// (the latter for local clients only, see <see cref="MetricsAccess"/>) unless <c>--metrics-bind</c>
/// moves those two to a listener of their own (a second server that serves no WebSocket path). That listener is stopped last, so during a shutdown it keeps answering
/// /healthz with 503 while the members are being closed; the chat port stops accepting at once.
/// </summary>
internal sealed class DaemonHttp : IAsyncDisposable
{
    private readonly WebSocketServer? _metricsServer;
    private readonly IPEndPoint? _metricsBind;
    private readonly ILogger _log;

    /// <param name="logFiles">The log files whose failures /healthz and /metrics report; none when the daemon writes no files.</param>
    /// <param name="cluster">The daemon as a cluster node, whose Redis link and cluster-wide figures /healthz and /metrics report; none for a single daemon.</param>
    public DaemonHttp(DaemonOptions options, WebSocketServer webSocketServer, ChatHub chat, string version, ILogger log, LogFiles? logFiles,
        ClusterNode? cluster = null)
    {
        _log = log;
        _metricsBind = options.MetricsBind;
        var health = new HealthEndpoint(Status, () => webSocketServer.Metrics.ConnectionsOpen, version, () => logFiles?.IsFailing ?? false,
            cluster);
        var metrics = new MetricsEndpoint(DaemonMetrics.Create(webSocketServer, chat, version, () => logFiles?.FailedEvents ?? 0, cluster));
        // Built on the first request: it hashes its script and style for the CSP, and hashing loads
        // OpenSSL, which a daemon nobody browses to need not carry (its size: docs/performance.md).
        var page = new Lazy<ChatPage>(() => new ChatPage(options.Path));

        PublicRouter = new HttpRouter(chat.IsPathServed)
            .Map("/", request => page.Value.Handle(request));
        var observability = PublicRouter;
        if (_metricsBind is not null)
        {
            observability = new HttpRouter(_ => false);
            _metricsServer = new WebSocketServer($"ws://{_metricsBind}/")
            {
                // The chat's connection caps are the server's defaults; this listener has never had any.
                Options = new WebSocketServerOptions
                {
                    MaxConnections = 0,
                    MaxConnectionsPerIp = 0,
                    MaxHandshakes = 0,
                    MaxHandshakesPerIp = 0,
                    ConnectRatePerIp = RateLimit.Off,
                },
                PathFilter = _ => false,
                HttpHandler = observability.Handle,
                Logger = log,
            };
        }

        observability.Map("/healthz", health.Handle).Map("/metrics", request =>
            MetricsAccess.Allows(options, request.RemoteEndPoint?.Address) ? metrics.Handle(request) : HttpResponse.NotFound(request.Path));
    }

    public DaemonStatus Status { get; } = new();

    /// <summary>Answers plain HTTP on the chat port: <c>webSocketServer.HttpHandler = PublicRouter.Handle</c>.</summary>
    public HttpRouter PublicRouter { get; }

    /// <summary>The bound port of the separate health and metrics listener, if there is one.</summary>
    public int? MetricsPort => _metricsServer?.Port;

    /// <summary>Starts the separate listener, if any. Throws <see cref="ListenFailedException"/> when its address cannot be used.</summary>
    public void Start()
    {
        if (_metricsServer is null)
        {
            return;
        }

        try
        {
            _metricsServer.Start(static _ => { });
        }
        catch (SocketException ex)
        {
            throw new ListenFailedException($"http://{_metricsBind} (health and metrics)", ex);
        }

        _log.Information("Health and metrics on {MetricsEndpoint}", MetricsEndpoint);
    }

    /// <summary>Where /healthz and /metrics are served when they have their own listener.</summary>
    public string? MetricsEndpoint => _metricsServer is null ? null
        : string.Create(CultureInfo.InvariantCulture, $"http://{new IPEndPoint(_metricsBind!.Address, _metricsServer.Port)}");

    public async Task StopAsync()
    {
        Status.MarkStopping();
        if (_metricsServer is not null)
        {
            await _metricsServer.StopAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_metricsServer is not null)
        {
            await _metricsServer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
