using System.Text.Json;
using FleckChat.Cluster;
using FleckChat.Server.Handshake;

namespace FleckChat.Hosting.Http;

/// <summary>
/// GET /healthz: 200 and <c>"status":"ok"</c> while serving, 503 and <c>"status":"stopping"</c> once
/// shutdown has begun. <c>"logs":"failing"</c> while the log files cannot be written, which leaves the
/// status alone: chat works, and a load balancer that took the daemon out of service, or a restart,
/// would not make the disk any less full. With <c>--redis</c>, <c>"redis":"up"</c> or, while Redis
/// cannot be reached, <c>"redis":"unreachable"</c> with 503 and <c>"status":"degraded"</c>: members
/// stay connected but cannot chat with the other daemons, so a load balancer should send newcomers to
/// a daemon that can (without <c>--redis</c> the field is absent).
/// </summary>
internal sealed class HealthEndpoint
{
    private readonly DaemonStatus _status;
    private readonly Func<long> _connections;
    private readonly string _version;
    private readonly Func<bool> _logsFailing;
    private readonly ClusterNode? _cluster;

    /// <param name="cluster">The daemon as a cluster node (<c>--redis</c>); null for a single daemon.</param>
    public HealthEndpoint(DaemonStatus status, Func<long> connections, string version, Func<bool> logsFailing, ClusterNode? cluster = null)
    {
        _cluster = cluster;
        _status = status;
        _connections = connections;
        _version = version;
        _logsFailing = logsFailing;
    }

    public HttpResponse Handle(HttpRequest request)
    {
        bool stopping = _status.IsStopping;
        bool? redisUp = _cluster?.Link.IsUp;
        string status = stopping ? "stopping" : redisUp == false ? "degraded" : "ok";
        var report = new HealthReport(status, _version, Math.Round(_status.Uptime.TotalSeconds, 3), _connections(),
            _logsFailing() ? "failing" : "ok", redisUp switch { true => "up", false => "unreachable", null => null },
            _cluster is { ClusterMembers: >= 0 and var members } ? members : null);
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(report, HttpJsonContext.Default.HealthReport);
        return new HttpResponse(status == "ok" ? 200 : 503, HttpResponse.Json, body, HttpResponse.NoStore);
    }
}
