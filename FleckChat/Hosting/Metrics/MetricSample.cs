namespace FleckChat.Hosting.Metrics;

/// <summary>One value of a family; <see cref="LabelValue"/> is used when the family has a label.</summary>
internal readonly record struct MetricSample(double Value, string LabelValue = "");
