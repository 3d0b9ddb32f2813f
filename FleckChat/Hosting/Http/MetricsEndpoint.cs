using System.Text;
using FleckChat.Hosting.Metrics;
using FleckChat.Server.Handshake;

namespace FleckChat.Hosting.Http;

/// <summary>GET /metrics: every registered family in the Prometheus text format 0.0.4.</summary>
internal sealed class MetricsEndpoint
{
    private readonly MetricsRegistry _registry;

    public MetricsEndpoint(MetricsRegistry registry)
    {
        _registry = registry;
    }

    public HttpResponse Handle(HttpRequest request) =>
        new(200, ExpositionFormat.ContentType, Encoding.UTF8.GetBytes(ExpositionFormat.Write(_registry.Families)), HttpResponse.NoStore);
}
