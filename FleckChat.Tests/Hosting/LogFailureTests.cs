using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using FleckChat.Hosting;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Hosting;

/// <summary>Log files that cannot be written: chat goes on, and stderr, /healthz and /metrics say so.</summary>
[TestClass]
public sealed partial class LogFailureTests
{
    [TestMethod]
    public async Task HealthzAndMetrics_LogFilesFailing_LogsFailingStatusOkFailuresCounted()
    {
        using var folder = TempFolder.ForCaller();
        var options = new DaemonOptions { Port = 0, Bind = IPAddress.Loopback, LogDirectory = UnderARegularFile(folder) };
        using var files = LoggerFactory.OpenFiles(options, (_, _) => { });
        await using var log = LoggerFactory.Create(options, files, console: false);
        await using var daemon = new ChatDaemon(options, log, logFiles: files);
        daemon.Start();

        var (status, body, response) = await HttpProbe.GetAsync(daemon.BaseUrl() + "/healthz");
        response.Dispose();
        var metrics = await HttpProbe.ScrapeAsync(daemon.BaseUrl());

        Assert.AreEqual(200, status);
        using var json = JsonDocument.Parse(body);
        Assert.AreEqual("ok", json.RootElement.GetProperty("status").GetString());
        Assert.AreEqual("failing", json.RootElement.GetProperty("logs").GetString());
        Assert.AreEqual(files.FailedEvents, metrics["fleckchat_log_failures_total"]);
        Assert.IsGreaterThan(0, metrics["fleckchat_log_failures_total"]);
    }

    [TestMethod]
    public async Task Daemon_LogDirectoryUnusable_ChatGoesOnOneLineOnStderr_SighupAfterFixRecovers()
    {
        using var folder = TempFolder.ForCaller();
        string directory = UnderARegularFile(folder);
        var (daemon, port) = await DaemonProcess.StartListeningAsync(directory);
        await using (daemon)
        {
            await daemon.WaitForLineAsync(CannotWriteLine());
            var (first, _) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{port}/chat"));
            var (second, _) = await ChatClient.JoinAsync(new Uri($"ws://127.0.0.1:{port}/chat"));
            await using (first)
            await using (second)
            {
                await second.SendTextAsync("still chatting");
                await first.ReceiveUntilAsync(text => text.EndsWith("still chatting", StringComparison.Ordinal));
            }

            var failing = await HttpProbe.ScrapeAsync($"http://127.0.0.1:{port}");
            Assert.IsGreaterThanOrEqualTo(3, failing["fleckchat_log_failures_total"], "listening, and two joins at least");
            Assert.HasCount(1, CannotWriteLine().Matches(daemon.Output), daemon.Output);
            Assert.HasCount(1, CannotWriteLine().Matches(daemon.ErrorOutput), "on stderr, where journald reads it");

            File.Delete(Path.GetDirectoryName(directory)!);
            daemon.Signal("HUP");
            await daemon.WaitForLineAsync(WrittenAgainLine());

            var (_, body, response) = await HttpProbe.GetAsync($"http://127.0.0.1:{port}/healthz");
            response.Dispose();
            Assert.AreEqual("ok", JsonDocument.Parse(body).RootElement.GetProperty("logs").GetString());
            Assert.HasCount(1, WrittenAgainLine().Matches(daemon.ErrorOutput), daemon.Output);
            string text = await File.ReadAllTextAsync(Directory.GetFiles(directory).Single());
            Assert.Contains("Log files written again after", text);
        }
    }

    /// <summary>A log directory that cannot be made: its parent is a regular file (root writes anywhere, so no permission would stop it).</summary>
    private static string UnderARegularFile(TempFolder folder)
    {
        string file = Path.Combine(folder.Path, "file");
        File.WriteAllText(file, "not a directory");
        return Path.Combine(file, "logs");
    }

    [GeneratedRegex("fleckchat: cannot write the log files in .*: ")]
    private static partial Regex CannotWriteLine();

    [GeneratedRegex("fleckchat: the log files in .* are written again; [0-9]+ log events were lost")]
    private static partial Regex WrittenAgainLine();
}
