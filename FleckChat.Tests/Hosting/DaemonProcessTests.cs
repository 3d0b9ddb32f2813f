using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting;

/// <summary>The real executable: signals, exit codes, command-line errors, log files.</summary>
[TestClass]
public sealed class DaemonProcessTests
{
    [TestMethod]
    public async Task Sigterm_ClosesMembersWith1001_FlushesLogs_ExitsZeroWithinFiveSeconds()
    {
        using var logs = TempFolder.ForCaller();
        var (daemon, port) = await DaemonProcess.StartListeningAsync(logs.Path);
        await using (daemon)
        {
            var (client, greeting) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{port}/chat"));
            await using (client)
            {
                Assert.AreEqual("You are connected! There are 1 users here.", greeting);
                await daemon.WaitForLineAsync(new Regex("user0 joined"));

                daemon.Signal("TERM");

                Assert.AreEqual(WebSocketCloseStatus.EndpointUnavailable, await client.ReceiveCloseAsync());
                Assert.AreEqual("server shutting down", client.Socket.CloseStatusDescription);
                Assert.AreEqual(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(5)));
            }
        }

        string log = File.ReadAllText(Directory.GetFiles(logs.Path, "fleckchat-*.log").Single());
        Assert.Contains("user0 joined", log);
        Assert.Contains("user0 left", log);
        Assert.Contains("Received SIGTERM", log);
        Assert.Contains("Stopped", log);
    }

    [TestMethod]
    public async Task Sigint_StopsLikeSigterm()
    {
        using var logs = TempFolder.ForCaller();
        var (daemon, _) = await DaemonProcess.StartListeningAsync(logs.Path);
        await using (daemon)
        {
            daemon.Signal("INT");

            Assert.AreEqual(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        }
    }

    [TestMethod]
    [DataRow("--port", "abc", "--port")]
    [DataRow("--port", "70000", "--port")]
    [DataRow("--bind", "not-an-ip", "--bind")]
    [DataRow("--path", "chat", "--path")]
    [DataRow("--max-message-bytes", "-5", "--max-message-bytes")]
    [DataRow("--log-level", "loud", "--log-level")]
    public async Task InvalidOption_OneLineErrorNamingIt_Exit2(string option, string value, string named)
    {
        var (code, output) = await DaemonProcess.RunAsync(option, value);

        Assert.AreEqual(2, code);
        Assert.HasCount(1, output.Split('\n', StringSplitOptions.RemoveEmptyEntries), output);
        Assert.Contains(named, output);
        Assert.StartsWith("fleckchat: ", output);
    }

    [TestMethod]
    public async Task UnknownOption_Exit2()
    {
        var (code, output) = await DaemonProcess.RunAsync("--frobnicate");

        Assert.AreEqual(2, code);
        Assert.Contains("--frobnicate", output);
    }

    [TestMethod]
    public async Task PortInUse_ClearErrorAndNonZeroExit()
    {
        using var logs = TempFolder.ForCaller();
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        int port = ((IPEndPoint)occupier.LocalEndpoint).Port;

        var (code, output) = await DaemonProcess.RunAsync("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1", "--log-dir", logs.Path);

        Assert.AreEqual(1, code);
        Assert.Contains($"Cannot listen on ws://127.0.0.1:{port}/chat", output);
        Assert.Contains("in use", output);
    }

    [TestMethod]
    public async Task Help_ListsEveryOptionAndItsVariable()
    {
        var (code, output) = await DaemonProcess.RunAsync("--help");

        Assert.AreEqual(0, code);
        foreach (var name in new[] { "--port", "--bind", "--path", "--max-message-bytes", "--log-dir", "--log-level",
                     "FLECKCHAT_PORT", "FLECKCHAT_BIND", "FLECKCHAT_PATH", "FLECKCHAT_MAX_MESSAGE_BYTES", "FLECKCHAT_LOG_DIR", "FLECKCHAT_LOG_LEVEL" })
        {
            Assert.Contains(name, output);
        }
    }

    [TestMethod]
    public async Task Version_PrintsVersion()
    {
        var (code, output) = await DaemonProcess.RunAsync("--version");

        Assert.AreEqual(0, code);
        Assert.MatchesRegex(new Regex(@"^\d+\.\d+\.\d+"), output.Trim());
    }

    [TestMethod]
    public async Task EnvironmentVariable_SetsOption()
    {
        using var logs = TempFolder.ForCaller();
        await using var daemon = DaemonProcess.Start(["--port", "0", "--log-dir", logs.Path],
            new Dictionary<string, string> { ["FLECKCHAT_BIND"] = "127.0.0.1", ["FLECKCHAT_PATH"] = "/talk" });

        await daemon.WaitForLineAsync(new Regex(@"listening on ws://127\.0\.0\.1:\d+/talk"));
    }
}
