using System.Globalization;
using System.Text;

namespace FleckChat.Hosting.Metrics;

/// <summary>
/// Writes metric families in the Prometheus text exposition format, version 0.0.4: per family a
/// <c># HELP</c> and a <c># TYPE</c> line, then one line per sample, every line ending in \n.
/// </summary>
internal static class ExpositionFormat
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(IEnumerable<MetricFamily> families)
    {
        var sb = new StringBuilder(4096);
        foreach (var family in families)
        {
            sb.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(family.Help)).Append('\n');
            sb.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type == MetricType.Counter ? "counter" : "gauge").Append('\n');
            foreach (var sample in family.Collect())
            {
                sb.Append(family.Name);
                if (family.LabelName is { } label)
                {
                    sb.Append('{').Append(label).Append("=\"").Append(EscapeLabelValue(sample.LabelValue)).Append("\"}");
                }

                sb.Append(' ').Append(FormatValue(sample.Value)).Append('\n');
            }
        }

        return sb.ToString();
    }

    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>In HELP text, backslash and line feed are escaped.</summary>
    public static string EscapeHelp(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>In label values, backslash, double quote and line feed are escaped.</summary>
    public static string EscapeLabelValue(string text) => EscapeHelp(text).Replace("\"", "\\\"", StringComparison.Ordinal);
}
