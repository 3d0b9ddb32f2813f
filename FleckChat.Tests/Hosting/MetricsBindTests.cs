using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FleckChat.Hosting;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting;

/// <summary><c>--metrics-bind</c>: parsing, and the real executable serving health and metrics on a listener of their own.</summary>
[TestClass]
public sealed partial class MetricsBindTests
{
    private static (DaemonOptions? Options, string? Error) Parse(string[] args, Dictionary<string, string>? env = null)
    {
        var commandLine = new DaemonCommandLine(name => env?.GetValueOrDefault(name));
        var result = commandLine.Command.Parse(args);
        return result.Errors.Count > 0 ? (null, result.Errors[0].Message) : (commandLine.Read(result), null);
    }

    [TestMethod]
    [DataRow("127.0.0.1:9100", "127.0.0.1:9100")]
    [DataRow("[::1]:9100", "[::1]:9100")]
    [DataRow("0.0.0.0:0", "0.0.0.0:0")]
    public void Parse_AddressAndPort_Accepted(string text, string expected) =>
        Assert.AreEqual(expected, Parse(["--metrics-bind", text]).Options!.MetricsBind!.ToString());

    [TestMethod]
    [DataRow("127.0.0.1")]
    [DataRow("9100")]
    [DataRow("::1")]
    [DataRow("localhost:9100")]
    [DataRow("127.0.0.1:99999")]
    [DataRow("127.0.0.1:")]
    public void Parse_NotAddressAndPort_ErrorNamesOption(string text)
    {
        var (_, error) = Parse(["--metrics-bind", text]);

        Assert.IsNotNull(error);
        StringAssert.StartsWith(error, "--metrics-bind: ");
    }

    [TestMethod]
    public void Parse_Default_NoSeparateListener_EnvironmentSetsIt()
    {
        Assert.IsNull(Parse([]).Options!.MetricsBind);
        Assert.AreEqual("127.0.0.1:9100", Parse([], new() { ["FLECKCHAT_METRICS_BIND"] = "127.0.0.1:9100" }).Options!.MetricsBind!.ToString());
    }

    [TestMethod]
    public async Task Process_MetricsBind_ServesHealthThere_StopsOnSigterm()
    {
        using var logs = TempFolder.ForCaller();
        var (daemon, port) = await DaemonProcess.StartListeningAsync(logs.Path, "--metrics-bind", "127.0.0.1:0");
        await using (daemon)
        {
            var match = await daemon.WaitForLineAsync(MetricsLine());
            string metricsUrl = $"http://127.0.0.1:{match.Groups[1].Value}";

            Assert.AreEqual(200, (await HttpProbe.GetAsync(metricsUrl + "/healthz")).Status);
            Assert.IsNotEmpty(await HttpProbe.ScrapeAsync(metricsUrl));
            Assert.AreEqual(404, (await HttpProbe.GetAsync($"http://127.0.0.1:{port}/metrics")).Status);

            daemon.Signal("TERM");
            Assert.AreEqual(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        }
    }

    [TestMethod]
    public async Task Process_MetricsPortInUse_NamesThatEndpoint_Exit1()
    {
        using var logs = TempFolder.ForCaller();
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        int port = ((IPEndPoint)occupier.LocalEndpoint).Port;

        var (code, output) = await DaemonProcess.RunAsync("--port", "0", "--bind", "127.0.0.1", "--log-dir", logs.Path,
            "--metrics-bind", $"127.0.0.1:{port}");

        Assert.AreEqual(1, code);
        Assert.Contains($"Cannot listen on http://127.0.0.1:{port} (health and metrics)", output);
        Assert.Contains("in use", output);
    }

    [TestMethod]
    public async Task Process_BadMetricsBind_OneLine_Exit2()
    {
        var (code, output) = await DaemonProcess.RunAsync("--metrics-bind", "nowhere");

        Assert.AreEqual(2, code);
        Assert.HasCount(1, output.Split('\n', StringSplitOptions.RemoveEmptyEntries), output);
        Assert.StartsWith("fleckchat: --metrics-bind: ", output);
    }

    [TestMethod]
    public async Task Process_Help_ListsMetricsBindAndClient()
    {
        var (code, output) = await DaemonProcess.RunAsync("--help");

        Assert.AreEqual(0, code);
        Assert.Contains("--metrics-bind", output);
        Assert.Contains("FLECKCHAT_METRICS_BIND", output);
        Assert.Contains("client", output);
    }

    [GeneratedRegex(@"Health and metrics on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex MetricsLine();
}
