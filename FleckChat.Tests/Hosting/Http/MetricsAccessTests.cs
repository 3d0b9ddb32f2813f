using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using FleckChat.Hosting;
using FleckChat.Hosting.Http;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting.Http;

/// <summary>Who may read /metrics on the chat port: local clients by default, everyone with --metrics-public or on --metrics-bind.</summary>
[TestClass]
public sealed class MetricsAccessTests
{
    [TestMethod]
    [DataRow("127.0.0.1")]
    [DataRow("127.0.0.53")]
    [DataRow("::1")]
    [DataRow("::ffff:127.0.0.1")]
    public void Allows_LoopbackClient_True(string client) =>
        Assert.IsTrue(MetricsAccess.Allows(new DaemonOptions(), IPAddress.Parse(client)));

    [TestMethod]
    [DataRow("192.0.2.7")]
    [DataRow("10.0.0.1")]
    [DataRow("2001:db8::1")]
    [DataRow("::ffff:192.0.2.7")]
    [DataRow("0.0.0.0")]
    [DataRow("::")]
    public void Allows_OtherClient_False(string client) =>
        Assert.IsFalse(MetricsAccess.Allows(new DaemonOptions(), IPAddress.Parse(client)));

    [TestMethod]
    public void Allows_UnknownClient_False() =>
        Assert.IsFalse(MetricsAccess.Allows(new DaemonOptions(), null));

    [TestMethod]
    public void Allows_OtherClientWithMetricsPublic_True() =>
        Assert.IsTrue(MetricsAccess.Allows(new DaemonOptions { MetricsPublic = true }, IPAddress.Parse("192.0.2.7")));

    [TestMethod]
    public void Allows_OtherClientOnMetricsBindListener_True() =>
        Assert.IsTrue(MetricsAccess.Allows(new DaemonOptions { MetricsBind = new IPEndPoint(IPAddress.Any, 9100) }, IPAddress.Parse("192.0.2.7")));

    [TestMethod]
    [DataRow(new string[0], null, false)]
    [DataRow(new[] { "--metrics-public", "on" }, null, true)]
    [DataRow(new[] { "--metrics-public", "off" }, "on", false)]
    [DataRow(new string[0], "on", true)]
    public void Parse_MetricsPublic_FlagThenEnvironmentThenOff(string[] args, string? environment, bool expected)
    {
        var commandLine = new DaemonCommandLine(name => name == "FLECKCHAT_METRICS_PUBLIC" ? environment : null);
        var result = commandLine.Command.Parse(args);

        Assert.IsEmpty(result.Errors);
        Assert.AreEqual(expected, commandLine.Read(result).MetricsPublic);
    }

    [TestMethod]
    public void Parse_MetricsPublicNotASwitch_ErrorNamesOption()
    {
        var result = new DaemonCommandLine(_ => null).Command.Parse(["--metrics-public", "maybe"]);

        Assert.StartsWith("--metrics-public: ", result.Errors[0].Message);
    }

    [TestMethod]
    public async Task Metrics_LoopbackClientByDefault_200()
    {
        await using var daemon = InProcessDaemon.Start();

        await HttpProbe.ScrapeAsync(daemon.BaseUrl());
    }

    // The client is this host under its own non-loopback address: the kernel sends the request over
    // lo, but the daemon sees that address as the source, as it would see a remote client's.
    [TestMethod]
    public async Task Metrics_NonLoopbackClientByDefault_404AndHealthzStill200()
    {
        var address = NonLoopbackAddress();
        await using var daemon = InProcessDaemon.Start(configure: o => o with { Bind = address });
        string url = $"http://{address}:{daemon.Port}";

        var (status, body, response) = await HttpProbe.GetAsync(url + "/metrics");
        response.Dispose();
        Assert.AreEqual(404, status);
        Assert.DoesNotContain("fleckchat_", body);
        var (healthStatus, _, healthResponse) = await HttpProbe.GetAsync(url + "/healthz");
        healthResponse.Dispose();
        Assert.AreEqual(200, healthStatus);
    }

    [TestMethod]
    public async Task Metrics_NonLoopbackClientWithMetricsPublic_200()
    {
        var address = NonLoopbackAddress();
        await using var daemon = InProcessDaemon.Start(configure: o => o with { Bind = address, MetricsPublic = true });

        var series = await HttpProbe.ScrapeAsync($"http://{address}:{daemon.Port}");

        Assert.IsTrue(series.ContainsKey("fleckchat_connections_open"));
    }

    [TestMethod]
    public async Task Metrics_NonLoopbackClientOnMetricsBindListener_200()
    {
        var address = NonLoopbackAddress();
        await using var daemon = InProcessDaemon.Start(configure: o => o with { MetricsBind = new IPEndPoint(address, 0) });

        var series = await HttpProbe.ScrapeAsync($"http://{address}:{daemon.Http.MetricsPort}");

        Assert.IsTrue(series.ContainsKey("fleckchat_connections_open"));
    }

    private static IPAddress NonLoopbackAddress()
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (address is null)
        {
            Assert.Inconclusive("This host has no IPv4 address but loopback, so no client can come from elsewhere.");
        }

        return address;
    }
}
