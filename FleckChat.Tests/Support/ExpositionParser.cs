using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FleckChat.Tests.Support;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, for checking /metrics: fails the
/// test on any line that a scraper would reject, and on what our conventions forbid (a sample whose
/// family has no # TYPE, a counter whose name does not end in _total). Returns every series
/// (<c>name</c> or <c>name{label="value"}</c>, as written) with its value.
/// </summary>
internal static partial class ExpositionParser
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];
    private static readonly string[] SubSampleSuffixes = ["_bucket", "_sum", "_count"];

    public static Dictionary<string, double> Parse(string text)
    {
        Assert.IsTrue(text.Length == 0 || text.EndsWith('\n'), "the exposition must end with a line feed");
        Assert.IsFalse(text.Contains('\r', StringComparison.Ordinal), "lines end in \\n only");
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var helps = new HashSet<string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        var sampled = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in text.Split('\n')[..^1])
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var comment = Comment().Match(line);
                if (!comment.Success)
                {
                    continue;
                }

                string name = comment.Groups[2].Value;
                Assert.IsFalse(sampled.Contains(name), $"'{line}': # {comment.Groups[1].Value} after the family's samples");
                if (comment.Groups[1].Value == "HELP")
                {
                    Assert.IsTrue(helps.Add(name), $"second HELP for {name}");
                }
                else
                {
                    string type = comment.Groups[3].Value.Trim();
                    CollectionAssert.Contains(Types, type, $"'{line}': unknown type");
                    Assert.IsTrue(types.TryAdd(name, type), $"second TYPE for {name}");
                    Assert.IsTrue(type != "counter" || name.EndsWith("_total", StringComparison.Ordinal), $"counter {name} does not end in _total");
                }

                Switch(ref current, name, finished);
                continue;
            }

            var (key, family, value) = Sample(line, types);
            Assert.IsTrue(types[family] != "counter" || (value >= 0 && !double.IsNaN(value)), $"'{line}': a counter is never negative or NaN");
            Assert.IsTrue(series.TryAdd(key, value), $"'{line}': series {key} appears twice");
            sampled.Add(family);
            Switch(ref current, family, finished);
        }

        return series;
    }

    private static void Switch(ref string? current, string family, HashSet<string> finished)
    {
        if (current != family)
        {
            Assert.IsFalse(finished.Contains(family), $"the lines of {family} are not one group");
            if (current is not null)
            {
                finished.Add(current);
            }

            current = family;
        }
    }

    private static (string Key, string Family, double Value) Sample(string line, Dictionary<string, string> types)
    {
        var match = SampleLine().Match(line);
        Assert.IsTrue(match.Success, $"'{line}' is not a sample line");
        string name = match.Groups["name"].Value;
        string family = FamilyOf(name, types) ?? throw new AssertFailedException($"'{line}': no # TYPE line for its family");
        var labels = ParseLabels(match.Groups["labels"].Value, line);
        string key = labels.Count == 0 ? name : $"{name}{{{string.Join(',', labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}}";
        return (key, family, ParseValue(match.Groups["value"].Value, line));
    }

    private static string? FamilyOf(string sampleName, Dictionary<string, string> types)
    {
        if (types.ContainsKey(sampleName))
        {
            return sampleName;
        }

        foreach (var suffix in SubSampleSuffixes)
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(sampleName[..^suffix.Length], out var type) &&
                type is "histogram" or "summary")
            {
                return sampleName[..^suffix.Length];
            }
        }

        return null;
    }

    private static List<KeyValuePair<string, string>> ParseLabels(string text, string line)
    {
        var labels = new List<KeyValuePair<string, string>>();
        int i = 0;
        while (i < text.Length)
        {
            var name = LabelName().Match(text, i);
            Assert.IsTrue(name.Success && name.Index == i, $"'{line}': bad label name at {i}");
            i += name.Length;
            Assert.IsTrue(i + 1 < text.Length && text[i] == '=' && text[i + 1] == '"', $"'{line}': label {name.Value} needs =\"value\"");
            i += 2;
            var value = new StringBuilder();
            while (true)
            {
                Assert.IsLessThan(text.Length, i, $"'{line}': unterminated label value");
                char c = text[i++];
                if (c == '"')
                {
                    break;
                }

                if (c == '\\')
                {
                    Assert.IsLessThan(text.Length, i, $"'{line}': dangling escape");
                    char e = text[i++];
                    value.Append(e switch { '\\' => '\\', '"' => '"', 'n' => '\n', _ => throw new AssertFailedException($"'{line}': bad escape \\{e}") });
                }
                else
                {
                    Assert.AreNotEqual('\n', c);
                    value.Append(c);
                }
            }

            Assert.IsFalse(labels.Any(l => l.Key == name.Value), $"'{line}': label {name.Value} twice");
            labels.Add(new(name.Value, value.ToString()));
            if (i < text.Length)
            {
                Assert.AreEqual(',', text[i], $"'{line}': labels are separated by commas");
                i++;
            }
        }

        return labels;
    }

    private static double ParseValue(string text, string line) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) => v,
        _ => throw new AssertFailedException($"'{line}': '{text}' is not a number"),
    };

    [GeneratedRegex(@"^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>.*)\})?[ \t]+(?<value>\S+)(?:[ \t]+-?\d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex("[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex LabelName();
}
