using FleckChat.Hosting;
using FleckChat.Tests.Support;
using Serilog.Events;

namespace FleckChat.Tests.Hosting;

[TestClass]
public sealed class LogFileTests
{
    [TestMethod]
    public async Task Daemon_ConnectAndDisconnect_LoggedToFileWithoutMessageContent()
    {
        using var logs = TempFolder.ForCaller();
        var options = new DaemonOptions { Port = 0, Bind = System.Net.IPAddress.Loopback, LogDirectory = logs.Path, LogLevel = LogEventLevel.Information };
        var log = LoggerFactory.Create(options, console: false);
        var members = new MemberWatch();
        var daemon = new ChatDaemon(options, members.Wrap(log));
        daemon.Start();

        var (client, _) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{daemon.Port}/chat"));
        await client.SendTextAsync("secret words");
        await client.ReceiveTextAsync();
        await client.CloseAsync();
        await client.DisposeAsync();
        await members.WaitForCountAsync(0);
        await daemon.StopAsync();
        await log.DisposeAsync();

        var files = Directory.GetFiles(logs.Path, "fleckchat-*.log");
        Assert.HasCount(1, files);
        string text = await File.ReadAllTextAsync(files[0]);
        Assert.Contains("listening on ws://127.0.0.1:", text);
        Assert.Contains("user0 joined lobby from 127.0.0.1:", text);
        Assert.Contains("user0 left lobby", text);
        Assert.Contains("close 1000 bye, 1 in / 2 out", text);
        Assert.DoesNotContain("secret words", text);
    }
}
