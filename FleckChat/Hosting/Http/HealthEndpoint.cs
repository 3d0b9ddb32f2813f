using System.Text.Json;
using FleckChat.Server.Handshake;

namespace FleckChat.Hosting.Http;

/// <summary>
/// GET /healthz: 200 and <c>"status":"ok"</c> while serving, 503 and <c>"status":"stopping"</c> once
/// shutdown has begun. <c>"logs":"failing"</c> while the log files cannot be written, which leaves the
/// status alone: chat works, and a load balancer that took the daemon out of service, or a restart,
/// would not make the disk any less full.
/// </summary>
internal sealed class HealthEndpoint
{
    private readonly DaemonStatus _status;
    private readonly Func<long> _connections;
    private readonly string _version;
    private readonly Func<bool> _logsFailing;

    public HealthEndpoint(DaemonStatus status, Func<long> connections, string version, Func<bool> logsFailing)
    {
        _status = status;
        _connections = connections;
        _version = version;
        _logsFailing = logsFailing;
    }

    public HttpResponse Handle(HttpRequest request)
    {
        bool stopping = _status.IsStopping;
        var report = new HealthReport(stopping ? "stopping" : "ok", _version, Math.Round(_status.Uptime.TotalSeconds, 3), _connections(),
            _logsFailing() ? "failing" : "ok");
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(report, HttpJsonContext.Default.HealthReport);
        return new HttpResponse(stopping ? 503 : 200, HttpResponse.Json, body, HttpResponse.NoStore);
    }
}
