using System.Globalization;
using System.Text.RegularExpressions;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Deploy;

/// <summary>systemd's own checks of the units install.sh writes, in every variant it writes.</summary>
[TestClass]
public sealed partial class UnitFileTests
{
    [TestMethod]
    [DataRow("")]
    [DataRow("--socket")]
    [DataRow("--port 80")]
    [DataRow("--aot")]
    [DataRow("--redis 127.0.0.1:6379")]
    public async Task Verify_StagedUnits_Clean(string options)
    {
        string analyze = SystemTools.Require("systemd-analyze", "systemd");
        using var folder = TempFolder.ForCaller();
        var staged = await InstallScript.StageAsync(folder, Split(options));
        string root = VerificationRoot(staged, folder);
        string[] units = File.Exists(staged.SocketUnit) ? ["fleckchat.service", "fleckchat.socket"] : ["fleckchat.service"];

        var result = await Command.RunAsync(analyze, ["verify", "--root=" + root, .. units]);

        // verify exits 0 on unknown settings, with a warning: a clean unit prints nothing at all.
        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.AreEqual("", result.All, result.ToString());
    }

    [TestMethod]
    public async Task Verify_BrokenUnit_Complains()
    {
        string analyze = SystemTools.Require("systemd-analyze", "systemd");
        using var folder = TempFolder.ForCaller();
        var staged = await InstallScript.StageAsync(folder);
        string root = VerificationRoot(staged, folder);
        string unit = Path.Combine(root, "etc/systemd/system/fleckchat.service");
        File.WriteAllText(unit, File.ReadAllText(unit).Replace("ProtectHome=yes", "ProtectHomes=yes", StringComparison.Ordinal));

        var result = await Command.RunAsync(analyze, ["verify", "--root=" + root, "fleckchat.service"]);

        Assert.Contains("Unknown key 'ProtectHomes'", result.All);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("--socket")]
    [DataRow("--port 80")]
    [DataRow("--aot")]
    public async Task Security_StagedUnit_ExposureAtMost2(string options)
    {
        string analyze = SystemTools.Require("systemd-analyze", "systemd");
        using var folder = TempFolder.ForCaller();
        var staged = await InstallScript.StageAsync(folder, Split(options));

        var result = await Command.RunAsync(analyze, ["security", "--offline=true", "--no-pager", staged.ServiceUnit]);

        var score = Exposure().Match(result.All);
        Assert.IsTrue(score.Success, result.ToString());
        double exposure = double.Parse(score.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.IsLessThanOrEqualTo(2.0, exposure, result.Output);
    }

    private static string[] Split(string options) => options.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The staged files plus what <c>verify --root</c> needs to resolve them: the system's own units
    /// (targets the unit is ordered against) and the programs it runs (/bin/kill).
    /// </summary>
    private static string VerificationRoot(StagedInstall staged, TempFolder folder)
    {
        string root = Path.Combine(folder.Path, "verify-root");
        CopyDirectory(staged.Root, root);
        string systemUnits = Directory.Exists("/usr/lib/systemd/system") ? "/usr/lib/systemd/system" : "/lib/systemd/system";
        CopyDirectory(systemUnits, Path.Combine(root, "usr/lib/systemd/system"));
        Directory.CreateDirectory(Path.Combine(root, "usr/bin"));
        File.Copy("/usr/bin/kill", Path.Combine(root, "usr/bin/kill"));
        Directory.CreateSymbolicLink(Path.Combine(root, "bin"), "usr/bin");
        return root;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            string target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link);
            }
            else if (entry is DirectoryInfo directory)
            {
                CopyDirectory(directory.FullName, target);
            }
            else
            {
                File.Copy(entry.FullName, target);
            }
        }
    }

    [GeneratedRegex(@"Overall exposure level for fleckchat\.service: (\d+\.\d+)")]
    private static partial Regex Exposure();
}
