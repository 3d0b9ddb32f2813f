using FleckChat.Hosting.Metrics;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting.Metrics;

[TestClass]
public sealed class ExpositionFormatTests
{
    [TestMethod]
    public void Write_LabelValueWithQuoteBackslashNewline_EscapedAndParsesBack()
    {
        var registry = new MetricsRegistry().Gauge("x_members", "Help with \\ and\nnewline.", "room", () => [("a\"b\\c\nd", 3)]);

        string text = ExpositionFormat.Write(registry.Families);

        StringAssert.Contains(text, "# HELP x_members Help with \\\\ and\\nnewline.\n");
        StringAssert.Contains(text, "x_members{room=\"a\\\"b\\\\c\\nd\"} 3\n");
        Assert.AreEqual(3, ExpositionParser.Parse(text)["x_members{room=\"a\"b\\c\nd\"}"]);
    }

    [TestMethod]
    [DataRow(double.PositiveInfinity, "+Inf")]
    [DataRow(double.NegativeInfinity, "-Inf")]
    [DataRow(double.NaN, "NaN")]
    [DataRow(0.25, "0.25")]
    [DataRow(1234567.0, "1234567")]
    public void FormatValue_SpecialAndPlainNumbers(double value, string expected) =>
        Assert.AreEqual(expected, ExpositionFormat.FormatValue(value));

    [TestMethod]
    [DataRow("requests", true)]
    [DataRow("requests_total", false)]
    public void Counter_NameWithoutTotal_Refused(string name, bool refused)
    {
        var registry = new MetricsRegistry();

        if (refused)
        {
            Assert.ThrowsExactly<ArgumentException>(() => registry.Counter(name, "h", () => 1));
        }
        else
        {
            registry.Counter(name, "h", () => 1);
        }
    }

    [TestMethod]
    public void Gauge_NameEndingInTotal_Refused() =>
        Assert.ThrowsExactly<ArgumentException>(() => new MetricsRegistry().Gauge("open_total", "h", () => 1));

    [TestMethod]
    public void Register_SameNameTwice_Refused() =>
        Assert.ThrowsExactly<ArgumentException>(() => new MetricsRegistry().Gauge("a", "h", () => 1).Gauge("a", "h", () => 2));

    [TestMethod]
    [DataRow("1abc")]
    [DataRow("with-dash")]
    public void Register_InvalidName_Refused(string name) =>
        Assert.ThrowsExactly<ArgumentException>(() => new MetricsRegistry().Gauge(name, "h", () => 1));

    [TestMethod]
    [DataRow("x 1\n", "no # TYPE")]
    [DataRow("# TYPE x counter\nx 1\n", "_total")]
    [DataRow("# TYPE x gauge\nx{a=\"\\q\"} 1\n", "bad escape")]
    [DataRow("# TYPE x gauge\n# TYPE x gauge\nx 1\n", "second TYPE")]
    [DataRow("# TYPE x gauge\nx one\n", "not a number")]
    [DataRow("# TYPE x gauge\nx 1\nx 2\n", "twice")]
    [DataRow("# TYPE x gauge\n# TYPE y gauge\nx 1\ny 1\nx{a=\"b\"} 1\n", "one group")]
    [DataRow("# TYPE x_total counter\nx_total -1\n", "negative")]
    [DataRow("# TYPE x gauge\nx 1", "line feed")]
    public void Parser_InvalidExposition_Fails(string text, string why)
    {
        var failure = Assert.ThrowsExactly<AssertFailedException>(() => ExpositionParser.Parse(text));
        StringAssert.Contains(failure.Message, why);
    }

    [TestMethod]
    public void Parser_HistogramAndTimestamps_Accepted()
    {
        var series = ExpositionParser.Parse("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 3.5\nh_count 2 1700000000000\n");

        Assert.AreEqual(2, series["h_count"]);
    }
}
