using FleckChat.Hosting;
using FleckChat.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Serilog.Events;

namespace FleckChat.Tests.Hosting;

[TestClass]
public sealed class LogFilesTests
{
    [TestMethod]
    public void Reopen_FileMovedAway_NextEventsGoToAFreshFile()
    {
        using var folder = TempFolder.ForCaller();
        var options = new DaemonOptions { LogDirectory = folder.Path };
        var files = LoggerFactory.OpenFiles(options);
        using (var log = LoggerFactory.Create(options, files, console: false))
        {
            log.Information("before {Step}", "rotation");
            string current = Directory.GetFiles(folder.Path).Single();
            File.Move(current, current + ".1");

            files.Reopen();
            log.Information("after {Step}", "rotation");
        }

        string rotated = Directory.GetFiles(folder.Path, "*.log.1").Single();
        string fresh = Directory.GetFiles(folder.Path, "fleckchat-*.log").Single();
        Assert.Contains("before rotation", File.ReadAllText(rotated));
        Assert.DoesNotContain("after rotation", File.ReadAllText(rotated));
        Assert.Contains("after rotation", File.ReadAllText(fresh));
    }

    [TestMethod]
    public void Reopen_AfterDispose_DoesNothing()
    {
        using var folder = TempFolder.ForCaller();
        var files = LoggerFactory.OpenFiles(new DaemonOptions { LogDirectory = folder.Path });
        files.Dispose();

        files.Reopen();

        Assert.IsEmpty(Directory.GetFiles(folder.Path));
    }

    [TestMethod]
    public void Emit_DirectoryIsAFile_AnnouncedOnceAndEveryEventCounted()
    {
        using var folder = TempFolder.ForCaller();
        string directory = Path.Combine(folder.Path, "logs");
        File.WriteAllText(directory, "not a directory");
        var announced = new List<(LogEventLevel Level, string Line)>();
        var options = new DaemonOptions { LogDirectory = directory };
        using var files = LoggerFactory.OpenFiles(options, (level, line) => announced.Add((level, line)), new FakeTimeProvider());
        using var log = LoggerFactory.Create(options, files, console: false);

        log.Information("one");
        log.Information("two");
        log.Information("three");

        Assert.IsTrue(files.IsFailing);
        Assert.AreEqual(3, files.FailedEvents);
        var (level, line) = announced.Single();
        Assert.AreEqual(LogEventLevel.Error, level);
        Assert.StartsWith($"cannot write the log files in {directory}: ", line);
    }

    [TestMethod]
    public void Emit_DiskFull_AnnouncedOnceAndEveryEventCounted()
    {
        if (!File.Exists("/dev/full"))
        {
            Assert.Inconclusive("No /dev/full to stand for a full disk.");
        }

        using var folder = TempFolder.ForCaller();
        // Today's file is /dev/full: it opens, and every write fails with ENOSPC, as on a full disk.
        File.CreateSymbolicLink(Path.Combine(folder.Path, $"fleckchat-{DateTime.Now:yyyyMMdd}.log"), "/dev/full");
        var announced = new List<string>();
        var time = new FakeTimeProvider();
        var options = new DaemonOptions { LogDirectory = folder.Path };
        using var files = LoggerFactory.OpenFiles(options, (_, line) => announced.Add(line), time);
        using var log = LoggerFactory.Create(options, files, console: false);

        log.Information("one");
        log.Information("two");
        time.Advance(LogFiles.RetryInterval);
        log.Information("three, after closing the full file and opening it again");

        Assert.IsTrue(files.IsFailing);
        Assert.AreEqual(3, files.FailedEvents);
        Assert.Contains("No space left on device", announced.Single());
    }

    [TestMethod]
    public void Emit_DirectoryUsableAgain_FilesOpenedAfterRetryInterval_RecoveryAnnouncedOnce()
    {
        using var folder = TempFolder.ForCaller();
        string directory = Path.Combine(folder.Path, "logs");
        File.WriteAllText(directory, "not a directory");
        var announced = new List<(LogEventLevel Level, string Line)>();
        var time = new FakeTimeProvider();
        var options = new DaemonOptions { LogDirectory = directory };
        var files = LoggerFactory.OpenFiles(options, (level, line) => announced.Add((level, line)), time);
        using (var log = LoggerFactory.Create(options, files, console: false))
        {
            log.Information("lost {Number}", 1);
            File.Delete(directory);
            log.Information("lost {Number}", 2);
            Assert.IsTrue(files.IsFailing, "the file sink on its own tries again only when it rolls");

            time.Advance(LogFiles.RetryInterval);
            log.Information("written {Number}", 3);
            log.Information("written {Number}", 4);

            Assert.IsFalse(files.IsFailing);
            Assert.AreEqual(2, files.FailedEvents);
        }

        Assert.HasCount(2, announced);
        Assert.AreEqual((LogEventLevel.Warning, $"the log files in {directory} are written again; 2 log events were lost"), announced[1]);
        string text = File.ReadAllText(Directory.GetFiles(directory).Single());
        Assert.DoesNotContain("lost 2", text);
        Assert.Contains("written 3", text);
        Assert.Contains("Log files written again after 2 log events were lost", text);
        Assert.Contains("written 4", text);
    }
}
