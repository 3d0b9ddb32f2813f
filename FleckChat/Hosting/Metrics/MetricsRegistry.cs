using System.Text.RegularExpressions;

namespace FleckChat.Hosting.Metrics;

/// <summary>
/// The families /metrics shows, each read when scraped from a counter that already exists (the
/// interlocked fields of <c>ServerMetrics</c> and friends): nothing here runs on the message path.
/// Adding a metric is one call, e.g. <c>registry.Counter("fleckchat_x_total", "help", () => source.X)</c>.
/// Names are checked against Prometheus conventions when registered, so a wrong one fails at start-up.
/// </summary>
internal sealed partial class MetricsRegistry
{
    private readonly List<MetricFamily> _families = [];

    public IReadOnlyList<MetricFamily> Families => _families;

    public MetricsRegistry Counter(string name, string help, Func<double> read) =>
        Add(new MetricFamily(name, MetricType.Counter, help, null, () => [new MetricSample(read())]));

    /// <summary>A counter with one label; <paramref name="read"/> yields (label value, value) pairs.</summary>
    public MetricsRegistry Counter(string name, string help, string label, Func<IEnumerable<(string LabelValue, double Value)>> read) =>
        Add(new MetricFamily(name, MetricType.Counter, help, label, () => read().Select(s => new MetricSample(s.Value, s.LabelValue))));

    public MetricsRegistry Gauge(string name, string help, Func<double> read) =>
        Add(new MetricFamily(name, MetricType.Gauge, help, null, () => [new MetricSample(read())]));

    /// <summary>A gauge with one label; <paramref name="read"/> yields (label value, value) pairs.</summary>
    public MetricsRegistry Gauge(string name, string help, string label, Func<IEnumerable<(string LabelValue, double Value)>> read) =>
        Add(new MetricFamily(name, MetricType.Gauge, help, label, () => read().Select(s => new MetricSample(s.Value, s.LabelValue))));

    private MetricsRegistry Add(MetricFamily family)
    {
        if (!MetricName().IsMatch(family.Name))
        {
            throw new ArgumentException($"'{family.Name}' is not a valid metric name.", nameof(family));
        }

        if (family.LabelName is { } label && (!LabelName().IsMatch(label) || label.StartsWith("__", StringComparison.Ordinal)))
        {
            throw new ArgumentException($"'{label}' is not a valid label name.", nameof(family));
        }

        bool isTotal = family.Name.EndsWith("_total", StringComparison.Ordinal);
        if (isTotal != (family.Type == MetricType.Counter))
        {
            throw new ArgumentException($"'{family.Name}': counter names end in _total, and only counter names do.", nameof(family));
        }

        if (_families.Any(f => f.Name == family.Name))
        {
            throw new ArgumentException($"'{family.Name}' is registered twice.", nameof(family));
        }

        _families.Add(family);
        return this;
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();
}
