using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting;

/// <summary>
/// The daemon as a process with a low open-files limit (256), attacked with sockets that never send a
/// byte and worse: it must neither die nor stop serving. Before connections were counted from
/// accept(), 250 silent sockets ran it out of descriptors, the runtime could not start a thread, and
/// the process exited with "Out of memory.".
/// </summary>
[TestClass]
public sealed class DescriptorExhaustionTests
{
    private const int DescriptorLimit = 256;
    private const int SilentSockets = 250;

    // All per-address limits off, as behind a reverse proxy: only the descriptor budget protects the daemon.
    private static readonly string[] ProxyLikeOptions =
        ["--max-connections-per-ip", "0", "--max-handshakes-per-ip", "0", "--connect-rate-per-ip", "0", "--rate-limit", "0"];

    private static readonly IPAddress FreshAddress = IPAddress.Parse("127.0.0.2");

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task SilentSockets_RoundsAtDescriptorLimit_DaemonAliveAndGreetsNewcomers()
    {
        using var logs = TempFolder.ForCaller();
        var (daemon, port) = await StartLimitedAsync(logs.Path);
        await using var _ = daemon;
        var greetings = new List<double>();
        for (int round = 0; round < 4; round++)
        {
            var silent = await OpenSilentAsync(port, SilentSockets);
            try
            {
                greetings.Add(await TimeGreetingAsync(port));
                greetings.Add(await TimeGreetingAsync(port));
            }
            finally
            {
                CloseAll(silent);
            }
        }

        Assert.IsFalse(daemon.HasExited, daemon.Output);
        greetings.Add(await TimeGreetingAsync(port));
        StringAssert.DoesNotMatch(daemon.Output, new System.Text.RegularExpressions.Regex("Out of memory|Fatal error"));
        TestContext.WriteLine($"fresh client, start to greeting (ms): {string.Join(", ", greetings.Select(g => g.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}");
    }

    [TestMethod]
    public async Task Exhaustion_SilentSlowChurnPingFlood_CanaryMessagesAllArrive()
    {
        using var logs = TempFolder.ForCaller();
        var (daemon, port) = await StartLimitedAsync(logs.Path);
        await using var _ = daemon;
        await using var listener = await JoinAsync(port, "listener", IPAddress.Parse("127.0.0.3"));
        await using var canary = await JoinAsync(port, "canary", FreshAddress);
        using var stop = new CancellationTokenSource();

        var attacks = Task.WhenAll(
            Task.Run(() => SilentAsync(port, stop.Token)),
            Task.Run(() => SlowHeadersAsync(port, stop.Token)),
            Task.Run(() => ChurnAsync(port, stop.Token)),
            Task.Run(() => PingFloodAsync(port, stop.Token)));

        const int Messages = 40;
        var received = ReceiveCanaryLinesAsync(listener, Messages);
        for (int i = 0; i < Messages; i++)
        {
            await canary.SendFrameAsync(0x1, Encoding.UTF8.GetBytes($"canary {i}"));
            await Task.Delay(100);
        }

        var lines = await received.Bounded();
        await stop.CancelAsync();
        await attacks.Bounded();

        CollectionAssert.AreEqual(Enumerable.Range(0, Messages).Select(i => $"[canary]: canary {i}").ToArray(), lines.ToArray());
        Assert.IsFalse(daemon.HasExited, daemon.Output);
        await using var after = await JoinAsync(port, "after", FreshAddress);
    }

    private static async Task<(DaemonProcess Daemon, int Port)> StartLimitedAsync(string logDir)
    {
        string prlimit = SystemTools.Require("prlimit", "util-linux");
        var daemon = DaemonProcess.StartCommand(prlimit,
            [$"--nofile={DescriptorLimit}:{DescriptorLimit}", DaemonProcess.DotnetHost, DaemonProcess.DllPath,
             "--port", "0", "--bind", "127.0.0.1", "--log-dir", logDir, .. ProxyLikeOptions]);
        var match = await daemon.WaitForLineAsync(DaemonProcess.ListeningLine());
        return (daemon, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<double> TimeGreetingAsync(int port)
    {
        var clock = Stopwatch.StartNew();
        await using var client = await JoinAsync(port, null, FreshAddress);
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>Connects from <paramref name="from"/>, upgrades, and reads up to the greeting.</summary>
    private static async Task<RawClient> JoinAsync(int port, string? name, IPAddress from)
    {
        var client = await RawClient.ConnectAsync(port, from: from);
        await client.HandshakeAsync(name is null ? "/chat" : "/chat?name=" + name);
        while (true)
        {
            var (_, payload) = await client.ReadFrameAsync().Bounded();
            if (Encoding.UTF8.GetString(payload).StartsWith("You are connected!", StringComparison.Ordinal))
            {
                return client;
            }
        }
    }

    private static async Task<List<string>> ReceiveCanaryLinesAsync(RawClient listener, int count)
    {
        var lines = new List<string>();
        while (lines.Count < count)
        {
            var (opcode, payload) = await listener.ReadFrameAsync();
            string text = Encoding.UTF8.GetString(payload);
            if (opcode == 0x1 && text.StartsWith("[canary]", StringComparison.Ordinal))
            {
                lines.Add(text);
            }
        }

        return lines;
    }

    private static async Task<List<Socket>> OpenSilentAsync(int port, int count)
    {
        var sockets = new List<Socket>(count);
        for (int i = 0; i < count; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            sockets.Add(socket);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).Bounded();
        }

        return sockets;
    }

    private static void CloseAll(List<Socket> sockets)
    {
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }

    private static async Task SilentAsync(int port, CancellationToken stop)
    {
        var sockets = await OpenSilentAsync(port, SilentSockets);
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
            // The scenario is over.
        }
        finally
        {
            CloseAll(sockets);
        }
    }

    /// <summary>Request heads that trickle in a byte at a time.</summary>
    private static async Task SlowHeadersAsync(int port, CancellationToken stop)
    {
        var sockets = await OpenSilentAsync(port, 20);
        try
        {
            byte[] head = Encoding.ASCII.GetBytes(RawClient.UpgradeRequest());
            for (int i = 0; i < head.Length - 1 && !stop.IsCancellationRequested; i++)
            {
                foreach (var socket in sockets)
                {
                    try
                    {
                        await socket.SendAsync(head.AsMemory(i, 1), CancellationToken.None);
                    }
                    catch (SocketException)
                    {
                        // Shed or timed out by the daemon: that is its right.
                    }
                }

                await Task.Delay(50, CancellationToken.None);
            }
        }
        finally
        {
            CloseAll(sockets);
        }
    }

    /// <summary>Connect, then reset at once, over and over.</summary>
    private static async Task ChurnAsync(int port, CancellationToken stop)
    {
        for (int i = 0; i < 400 && !stop.IsCancellationRequested; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).Bounded();
            socket.LingerState = new LingerOption(true, 0);
        }
    }

    /// <summary>A member that sends pings as fast as it can and never reads.</summary>
    private static async Task PingFloodAsync(int port, CancellationToken stop)
    {
        await using var flooder = await JoinAsync(port, "pinger", IPAddress.Parse("127.0.0.4"));
        try
        {
            for (int i = 0; i < 20_000 && !stop.IsCancellationRequested; i++)
            {
                await flooder.SendFrameAsync(0x9, [1, 2, 3, 4]);
            }
        }
        catch (SocketException)
        {
            // Cut off by the daemon.
        }
    }
}
