namespace FleckChat.Hosting.Metrics;

/// <summary>The Prometheus metric types FleckChat exposes.</summary>
internal enum MetricType
{
    /// <summary>Only goes up (until the process restarts); its name ends in <c>_total</c>.</summary>
    Counter,

    /// <summary>A value that goes up and down.</summary>
    Gauge,
}
