namespace FleckChat.Hosting.Metrics;

/// <summary>
/// A metric family: its name, type and help, an optional label (such as <c>reason</c> or
/// <c>room</c>), and a function that reads its current samples when scraped.
/// </summary>
internal sealed record MetricFamily(string Name, MetricType Type, string Help, string? LabelName, Func<IEnumerable<MetricSample>> Collect);
