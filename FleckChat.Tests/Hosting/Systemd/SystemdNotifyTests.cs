using System.Globalization;
using System.Text.RegularExpressions;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting.Systemd;

/// <summary>The real daemon with <c>NOTIFY_SOCKET</c> pointing at a socket the test plays systemd on.</summary>
[TestClass]
public sealed partial class SystemdNotifyTests
{
    [TestMethod]
    public async Task Start_NotifySocket_ReadyOnlyWhenAClientCanConnect()
    {
        using var logs = TempFolder.ForCaller();
        using var systemd = NotifyListener.Create();
        await using var daemon = StartDaemon(logs, systemd);

        string ready = await systemd.WaitForAsync("READY=1");

        // The first notification, and it names the bound port: connect at once, no retry.
        Assert.AreEqual(ready, systemd.Messages[0]);
        int port = PortOf(ready);
        var (client, greeting) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{port}/chat"));
        await using (client)
        {
            Assert.StartsWith("You are connected!", greeting);
        }
    }

    [TestMethod]
    public async Task Sigterm_NotifySocket_StoppingBeforeExit()
    {
        using var logs = TempFolder.ForCaller();
        using var systemd = NotifyListener.Create();
        await using var daemon = StartDaemon(logs, systemd);
        await systemd.WaitForAsync("READY=1");

        daemon.Signal("TERM");

        await systemd.WaitForAsync("STOPPING=1");
        Assert.AreEqual(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("STOPPING=1", systemd.Messages[^1]);
    }

    [TestMethod]
    public async Task WatchdogUsec_Set_WatchdogKeepsArriving()
    {
        using var logs = TempFolder.ForCaller();
        using var systemd = NotifyListener.Create();
        await using var daemon = StartDaemon(logs, systemd, new() { ["WATCHDOG_USEC"] = "400000" });
        await systemd.WaitForAsync("READY=1");

        await systemd.WaitForAsync("WATCHDOG=1", occurrence: 5);
    }

    [TestMethod]
    public async Task WatchdogPid_AnotherProcess_NoWatchdog()
    {
        using var logs = TempFolder.ForCaller();
        using var systemd = NotifyListener.Create();
        await using var daemon = StartDaemon(logs, systemd, new() { ["WATCHDOG_USEC"] = "200000", ["WATCHDOG_PID"] = "1" });
        await systemd.WaitForAsync("READY=1");

        // The status loop runs every second: by its second status the watchdog would have pinged ten times.
        var (client, _) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{PortOf(systemd.Messages[0])}/chat"));
        await using (client)
        {
            await systemd.WaitForAsync(m => m.StartsWith("STATUS=1 connections", StringComparison.Ordinal));
        }

        Assert.DoesNotContain("WATCHDOG=1", systemd.Messages);
    }

    [TestMethod]
    public async Task Status_MembersComeAndGo_ReportsTheConnectionCount()
    {
        using var logs = TempFolder.ForCaller();
        using var systemd = NotifyListener.Create();
        await using var daemon = StartDaemon(logs, systemd);
        var uri = new Uri($"ws://127.0.0.1:{PortOf(await systemd.WaitForAsync("READY=1"))}/chat");

        var (first, _) = await ChatClient.JoinAsync(uri);
        var (second, _) = await ChatClient.JoinAsync(uri);
        await systemd.WaitForAsync(m => m.StartsWith("STATUS=2 connections on ws://127.0.0.1:", StringComparison.Ordinal));
        await first.CloseAsync();
        await first.DisposeAsync();
        await second.DisposeAsync();

        // READY=1 came with the first status line; this is the next one saying 0.
        await systemd.WaitForAsync(m => m.StartsWith("STATUS=0 connections", StringComparison.Ordinal));
    }

    [TestMethod]
    public async Task Sighup_NotifySocket_ReloadingThenReady()
    {
        using var logs = TempFolder.ForCaller();
        using var systemd = NotifyListener.Create();
        await using var daemon = StartDaemon(logs, systemd);
        await systemd.WaitForAsync("READY=1");

        daemon.Signal("HUP");

        string reloading = await systemd.WaitForAsync("RELOADING=1");
        Assert.MatchesRegex(new Regex(@"\nMONOTONIC_USEC=\d+\n"), reloading);
        await systemd.WaitForAsync("READY=1", occurrence: 2);
        Assert.IsLessThan(systemd.Messages.ToList().FindLastIndex(m => m.StartsWith("READY=1", StringComparison.Ordinal)),
            systemd.Messages.ToList().IndexOf(reloading));
    }

    private static DaemonProcess StartDaemon(TempFolder logs, NotifyListener systemd, Dictionary<string, string>? environment = null)
    {
        environment ??= [];
        environment["NOTIFY_SOCKET"] = systemd.Address;
        return DaemonProcess.Start(["--port", "0", "--bind", "127.0.0.1", "--log-dir", logs.Path], environment);
    }

    private static int PortOf(string notification) =>
        int.Parse(StatusPort().Match(notification).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"STATUS=\d+ connections on wss?://[^:]+:(\d+)/")]
    private static partial Regex StatusPort();
}
