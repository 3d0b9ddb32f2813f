using System.Globalization;
using System.Text.RegularExpressions;
using FleckChat.Hosting.Systemd;
using FleckChat.Tests.Support;
using Serilog.Events;
using Serilog.Parsing;

namespace FleckChat.Tests.Hosting.Systemd;

[TestClass]
public sealed partial class JournalFormatterTests
{
    [TestMethod]
    [DataRow(LogEventLevel.Verbose, "<7>")]
    [DataRow(LogEventLevel.Debug, "<7>")]
    [DataRow(LogEventLevel.Information, "<6>")]
    [DataRow(LogEventLevel.Warning, "<4>")]
    [DataRow(LogEventLevel.Error, "<3>")]
    [DataRow(LogEventLevel.Fatal, "<2>")]
    public void Format_Level_SyslogPrefixAndNoTimestamp(LogEventLevel level, string prefix)
    {
        string text = Format(level, "{Name} joined", null, new LogEventProperty("Name", new ScalarValue("alice")));

        Assert.AreEqual(prefix + "alice joined\n", text);
    }

    [TestMethod]
    public void Format_Exception_EveryLineKeepsThePriority()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("broken");
        }
        catch (InvalidOperationException ex)
        {
            thrown = ex;
        }

        string text = Format(LogEventLevel.Error, "Failed", thrown);

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.IsGreaterThan(2, lines.Length, text);
        Assert.AreEqual("<3>Failed", lines[0]);
        Assert.IsTrue(lines.All(l => l.StartsWith("<3>", StringComparison.Ordinal)), text);
    }

    [TestMethod]
    public async Task Daemon_JournalStreamSet_ConsoleLinesArePrefixedWithoutTimestamps()
    {
        using var logs = TempFolder.ForCaller();
        await using var daemon = DaemonProcess.Start(["--port", "0", "--bind", "127.0.0.1", "--log-dir", logs.Path],
            new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:123456" });

        await daemon.WaitForLineAsync(DaemonProcess.ListeningLine());
        daemon.Signal("TERM");
        Assert.AreEqual(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(5)));

        var lines = daemon.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("<6>FleckChat ", lines[0]);
        Assert.IsTrue(lines.All(l => PrefixedLine().IsMatch(l)), daemon.Output);
        Assert.Contains("<6>Stopped", lines);
    }

    [TestMethod]
    public async Task Daemon_NoJournalStream_ConsoleKeepsItsTimestamps()
    {
        using var logs = TempFolder.ForCaller();
        var (daemon, _) = await DaemonProcess.StartListeningAsync(logs.Path);
        await using (daemon)
        {
            Assert.MatchesRegex(new Regex(@"^\[\d\d:\d\d:\d\d INF\] FleckChat "), daemon.Output);
        }
    }

    private static string Format(LogEventLevel level, string template, Exception? exception, params LogEventProperty[] properties)
    {
        var logEvent = new LogEvent(DateTimeOffset.Now, level, exception, new MessageTemplateParser().Parse(template), properties);
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        new JournalFormatter().Format(logEvent, output);
        return output.ToString();
    }

    [GeneratedRegex(@"^<[2-7]>[^<\[]")]
    private static partial Regex PrefixedLine();
}
