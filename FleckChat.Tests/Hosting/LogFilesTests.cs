using FleckChat.Hosting;
using FleckChat.Tests.Support;

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
}
